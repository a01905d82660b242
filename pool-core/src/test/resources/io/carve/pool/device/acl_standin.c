/*
 * A stand-in of the Ascend runtime's memory API (libascendcl.so, libacl_dvpp.so, libacl_dvpp_mpi.so) for
 * Carve's tests and benchmarks. It exports the vendor's symbols with the vendor's C signatures (acl/acl_rt.h,
 * acl/ops/acl_dvpp.h, hi_dvpp.h) and applies the vendor's documented rules (../shared/REFERENCE.md section 2):
 *
 *   aclrtMalloc        ALIGN_UP(size,32)+32, then rounded to the page of the aclrtMemMallocPolicy:
 *                      HUGE_FIRST: > 1 MB on 2 MB huge pages while they last, else 4 KB normal pages;
 *                      HUGE_ONLY: 2 MB, fails when huge pages run out; NORMAL_ONLY: 4 KB;
 *                      HUGE1G_ONLY: 1 GB; a value outside the enum: >= 2 MB huge, else normal.
 *                      Start at least 64-aligned (here: aligned to the page). size 0 is refused.
 *   aclrtMallocHost    real host memory, 64-aligned (the host may touch it).
 *   acldvppMalloc,     ALIGN_UP(size,32)+32, 128-aligned, on huge pages above 1 MB; all media memory of the
 *   hi_mpi_dvpp_malloc process is capped at 16 GB of address space.
 *   three-step API     granularity 2 MB (1 GB for the HUGE1G attributes); reserve takes a size that is a
 *                      multiple of 2 MB, alignment 0, expectPtr NULL; a physical handle's size is a multiple
 *                      of its granularity; aclrtMapMem maps a whole handle (size == handle size, offset 0)
 *                      at a granule boundary over unmapped granules, never twice; aclrtUnmapMem takes the
 *                      address a handle was mapped at; a mapped handle cannot be freed; a range with
 *                      mappings cannot be released.
 *   memset, memcpy     the only way to reach device memory: every byte must lie inside the caller's size of
 *                      one allocation (not the runtime's +32 padding) or inside mapped handles of a range.
 *
 * Device addresses are numbers the host cannot dereference (from 0x124000000000); each allocation is backed
 * by lazily mapped host memory that only memset and memcpy reach. Every call but aclInit needs aclInit, and
 * every memory call needs aclrtSetDevice on the calling thread (ACL_ERROR_RT_CONTEXT_NULL otherwise), as
 * the runtime's per-thread context does. Failures return the vendor's aclError codes and leave a message
 * for aclGetRecentErrMsg. Not confirmed against a real device (and so chosen here): the codes for a handle
 * that is still mapped, a range still holding mappings, and everything hi_mpi_dvpp_* returns (aclError
 * codes here).
 *
 * Control functions for tests (standin_*): inject a failure into the Nth next call of a function, read the
 * live allocations, mapped bytes and call counts, set the emulated memory's capacity.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef int aclError;
typedef int32_t hi_s32;
typedef uint32_t hi_u32;
typedef uint64_t hi_u64;
typedef void hi_void;
typedef void *aclrtDrvMemHandle;

enum
{
    ACL_SUCCESS = 0,
    ACL_ERROR_INVALID_PARAM = 100000,
    ACL_ERROR_UNINITIALIZE = 100001,
    ACL_ERROR_REPEAT_INITIALIZE = 100002,
    ACL_ERROR_RT_INVALID_DEVICEID = 107001,
    ACL_ERROR_RT_CONTEXT_NULL = 107002,
    ACL_ERROR_RT_INVALID_HANDLE = 107017,
    ACL_ERROR_RT_MEMORY_ALLOCATION = 207001,
    ACL_ERROR_RT_DRV_INTERNAL_ERROR = 507899
};

typedef enum aclrtMemcpyKind
{
    ACL_MEMCPY_HOST_TO_HOST,
    ACL_MEMCPY_HOST_TO_DEVICE,
    ACL_MEMCPY_DEVICE_TO_HOST,
    ACL_MEMCPY_DEVICE_TO_DEVICE
} aclrtMemcpyKind;

/* acl/acl_rt.h: the layout Carve's binding writes. */
typedef struct aclrtMemLocation
{
    uint32_t id;
    int type; /* aclrtMemLocationType: ACL_MEM_LOCATION_TYPE_DEVICE = 1 */
} aclrtMemLocation;

typedef struct aclrtPhysicalMemProp
{
    int handleType;     /* ACL_MEM_HANDLE_TYPE_NONE = 0 */
    int allocationType; /* ACL_MEM_ALLOCATION_TYPE_PINNED = 0 */
    int memAttr;        /* aclrtMemAttr */
    aclrtMemLocation location;
    uint64_t reserve;
} aclrtPhysicalMemProp;

_Static_assert(sizeof(aclrtPhysicalMemProp) == 32, "aclrtPhysicalMemProp is 32 bytes");

#define KB (1ULL << 10)
#define MB (1ULL << 20)
#define GB (1ULL << 30)
#define NORMAL_PAGE (4 * KB)
#define HUGE_PAGE (2 * MB)
#define HUGE1G_PAGE GB
#define DVPP_CAP (16 * GB)
#define DEVICE_COUNT 2

enum kind { K_MALLOC = 1, K_HOST, K_DVPP, K_MPI, K_RANGE, K_PHYSICAL };

typedef struct entry
{
    int kind;
    uint64_t va;       /* device address (the host pointer for K_HOST); 0 for K_PHYSICAL */
    uint64_t size;     /* caller's size: what memset/memcpy may reach */
    uint64_t reserved; /* after the runtime's rounding; the range's or handle's size */
    int huge;          /* counted against the huge-page pool */
    unsigned char *host; /* backing */
    /* K_PHYSICAL */
    uint64_t granularity;
    uint64_t mapped_at; /* 0 when not mapped */
    struct entry *range;
    struct entry *next;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry *entries;
static int initialized;
static uint64_t next_va = 0x124000000000ULL;
static uint64_t capacity = 64 * GB;
static uint64_t huge_capacity = 32 * GB;
static uint64_t used_bytes;
static uint64_t huge_bytes;
static uint64_t dvpp_bytes;
static uint64_t mapped_bytes;
static __thread int current_device = -1;
static __thread char recent[512];

/* Failure injection and call counts, by function name. */
#define MAX_FAILS 32
static struct { char name[64]; long countdown; int code; } fails[MAX_FAILS];
#define MAX_CALLS 64
static struct { char name[64]; const char *literal; long count; } calls[MAX_CALLS];
static int armed; /* injected failures still pending */

static uint64_t align_up(uint64_t value, uint64_t k)
{
    return ((value - 1) / k + 1) * k;
}

static aclError fail(aclError code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(recent, sizeof recent, format, args);
    va_end(args);
    return code;
}

/* Counts the call and returns an injected code, or 0. Holds the lock. */
static aclError enter(const char *name)
{
    int i;
    for (i = 0; i < MAX_CALLS; i++)
    {
        if (calls[i].name[0] == 0)
        {
            strncpy(calls[i].name, name, sizeof calls[i].name - 1);
        }
        /* Names are string literals: compare the pointer first, the text only when it differs. */
        if (calls[i].literal == name || strcmp(calls[i].name, name) == 0)
        {
            calls[i].literal = name;
            calls[i].count++;
            break;
        }
    }
    if (armed == 0)
    {
        return ACL_SUCCESS;
    }
    for (i = 0; i < MAX_FAILS; i++)
    {
        if (fails[i].countdown > 0 && strcmp(fails[i].name, name) == 0 && --fails[i].countdown == 0)
        {
            armed--;
            return fail(fails[i].code, "%s: injected failure (stand-in)", name);
        }
    }
    return ACL_SUCCESS;
}

static aclError need_context(const char *name)
{
    if (!initialized)
    {
        return fail(ACL_ERROR_UNINITIALIZE, "%s: aclInit was not called", name);
    }
    if (current_device < 0)
    {
        return fail(ACL_ERROR_RT_CONTEXT_NULL, "%s: no current context on this thread: call aclrtSetDevice", name);
    }
    return ACL_SUCCESS;
}

#define BEGIN(name)                                    \
    aclError rc;                                       \
    pthread_mutex_lock(&lock);                         \
    rc = enter(name);                                  \
    if (rc == ACL_SUCCESS) rc = need_context(name);    \
    if (rc != ACL_SUCCESS) goto out;

#define END    \
out:           \
    pthread_mutex_unlock(&lock); \
    return rc;

static unsigned char *back(uint64_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : (unsigned char *)p;
}

static entry *add(int kind, uint64_t va, uint64_t size, uint64_t reserved, int huge, unsigned char *host)
{
    entry *e = calloc(1, sizeof *e);
    e->kind = kind;
    e->va = va;
    e->size = size;
    e->reserved = reserved;
    e->huge = huge;
    e->host = host;
    e->next = entries;
    entries = e;
    return e;
}

static void unlink_entry(entry *e)
{
    entry **p = &entries;
    while (*p != e)
    {
        p = &(*p)->next;
    }
    *p = e->next;
}

static entry *find_start(uint64_t va, int kind)
{
    entry *e;
    for (e = entries; e; e = e->next)
    {
        if (e->kind == kind && e->va == va)
        {
            return e;
        }
    }
    return NULL;
}

static uint64_t take_va(uint64_t size, uint64_t alignment)
{
    uint64_t va = align_up(next_va, alignment);
    next_va = va + size;
    return va;
}

/* Takes device memory of `reserved` bytes; huge says whether from the huge-page pool. */
static aclError take_memory(const char *name, uint64_t reserved, int huge)
{
    if (used_bytes + reserved > capacity)
    {
        return fail(ACL_ERROR_RT_MEMORY_ALLOCATION, "%s: out of device memory: %llu bytes asked, %llu of %llu in use",
            name, (unsigned long long)reserved, (unsigned long long)used_bytes, (unsigned long long)capacity);
    }
    if (huge && huge_bytes + reserved > huge_capacity)
    {
        return fail(ACL_ERROR_RT_MEMORY_ALLOCATION, "%s: huge pages exhausted: %llu bytes asked, %llu of %llu in use",
            name, (unsigned long long)reserved, (unsigned long long)huge_bytes, (unsigned long long)huge_capacity);
    }
    used_bytes += reserved;
    if (huge)
    {
        huge_bytes += reserved;
    }
    return ACL_SUCCESS;
}

static void give_memory(uint64_t reserved, int huge)
{
    used_bytes -= reserved;
    if (huge)
    {
        huge_bytes -= reserved;
    }
}

/* ---------------------------------------------------------------- initialisation and devices */

aclError aclInit(const char *configPath)
{
    aclError rc;
    (void)configPath;
    pthread_mutex_lock(&lock);
    rc = enter("aclInit");
    if (rc == ACL_SUCCESS && initialized)
    {
        rc = fail(ACL_ERROR_REPEAT_INITIALIZE, "aclInit: already initialised");
    }
    if (rc == ACL_SUCCESS)
    {
        initialized = 1;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

aclError aclrtSetDevice(int32_t deviceId)
{
    aclError rc;
    pthread_mutex_lock(&lock);
    rc = enter("aclrtSetDevice");
    if (rc == ACL_SUCCESS && !initialized)
    {
        rc = fail(ACL_ERROR_UNINITIALIZE, "aclrtSetDevice: aclInit was not called");
    }
    if (rc == ACL_SUCCESS && (deviceId < 0 || deviceId >= DEVICE_COUNT))
    {
        rc = fail(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtSetDevice: device %d does not exist (%d devices)", deviceId, DEVICE_COUNT);
    }
    if (rc == ACL_SUCCESS)
    {
        current_device = deviceId;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

aclError aclrtGetDevice(int32_t *deviceId)
{
    BEGIN("aclrtGetDevice")
    if (deviceId == NULL)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtGetDevice: deviceId is NULL");
        goto out;
    }
    *deviceId = current_device;
    END
}

const char *aclGetRecentErrMsg(void)
{
    return recent[0] ? recent : NULL;
}

/* ---------------------------------------------------------------- one-block allocators */

static uint64_t page_of(int policy, uint64_t bytes, int *huge)
{
    switch (policy)
    {
        case 0: case 3: /* HUGE_FIRST */
            *huge = bytes > MB && huge_bytes + align_up(bytes, HUGE_PAGE) <= huge_capacity;
            return *huge ? HUGE_PAGE : NORMAL_PAGE;
        case 1: case 4: /* HUGE_ONLY */
            *huge = 1;
            return HUGE_PAGE;
        case 2: case 5: /* NORMAL_ONLY */
            *huge = 0;
            return NORMAL_PAGE;
        case 6: case 7: /* HUGE1G_ONLY */
            *huge = 1;
            return HUGE1G_PAGE;
        default:
            *huge = bytes >= HUGE_PAGE;
            return *huge ? HUGE_PAGE : NORMAL_PAGE;
    }
}

aclError aclrtMalloc(void **devPtr, size_t size, int policy)
{
    uint64_t bytes, page, reserved;
    int huge;
    unsigned char *host;
    BEGIN("aclrtMalloc")
    if (devPtr == NULL || size == 0)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMalloc: devPtr must not be NULL and size must not be 0: size=%zu", size);
        goto out;
    }
    bytes = align_up(size, 32) + 32;
    page = page_of(policy, bytes, &huge);
    reserved = align_up(bytes, page);
    rc = take_memory("aclrtMalloc", reserved, huge);
    if (rc != ACL_SUCCESS)
    {
        goto out;
    }
    host = back(reserved);
    if (host == NULL)
    {
        give_memory(reserved, huge);
        rc = fail(ACL_ERROR_RT_MEMORY_ALLOCATION, "aclrtMalloc: the stand-in's host backing ran out");
        goto out;
    }
    *devPtr = (void *)(uintptr_t)add(K_MALLOC, take_va(reserved, page), size, reserved, huge, host)->va;
    END
}

static aclError free_kind(const char *name, void *ptr, int kind)
{
    entry *e;
    BEGIN(name)
    e = find_start((uint64_t)(uintptr_t)ptr, kind);
    if (e == NULL)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "%s: %p was not allocated by the matching call", name, ptr);
        goto out;
    }
    unlink_entry(e);
    if (kind == K_HOST)
    {
        free(e->host);
    }
    else
    {
        munmap(e->host, e->reserved);
        give_memory(e->reserved, e->huge);
        if (kind == K_DVPP || kind == K_MPI)
        {
            dvpp_bytes -= e->reserved;
        }
    }
    free(e);
    END
}

aclError aclrtFree(void *devPtr)
{
    return free_kind("aclrtFree", devPtr, K_MALLOC);
}

aclError aclrtMallocHost(void **hostPtr, size_t size)
{
    void *p = NULL;
    BEGIN("aclrtMallocHost")
    if (hostPtr == NULL || size == 0)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMallocHost: hostPtr must not be NULL and size must not be 0: size=%zu", size);
        goto out;
    }
    if (posix_memalign(&p, 64, align_up(size, 32) + 32) != 0)
    {
        rc = fail(ACL_ERROR_RT_MEMORY_ALLOCATION, "aclrtMallocHost: out of host memory: size=%zu", size);
        goto out;
    }
    add(K_HOST, (uint64_t)(uintptr_t)p, size, align_up(size, 32) + 32, 0, p);
    *hostPtr = p;
    END
}

aclError aclrtFreeHost(void *hostPtr)
{
    return free_kind("aclrtFreeHost", hostPtr, K_HOST);
}

static aclError media_malloc(const char *name, int kind, void **devPtr, uint64_t size)
{
    uint64_t bytes, reserved, page;
    int huge;
    unsigned char *host;
    BEGIN(name)
    if (devPtr == NULL || size == 0)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "%s: dev_ptr must not be NULL and size must not be 0: size=%llu", name,
            (unsigned long long)size);
        goto out;
    }
    bytes = align_up(size, 32) + 32;
    huge = bytes > MB;
    page = huge ? HUGE_PAGE : NORMAL_PAGE;
    reserved = align_up(bytes, page);
    if (dvpp_bytes + reserved > DVPP_CAP)
    {
        rc = fail(ACL_ERROR_RT_MEMORY_ALLOCATION, "%s: media memory is capped at 16 GB per process: %llu in use, %llu asked",
            name, (unsigned long long)dvpp_bytes, (unsigned long long)reserved);
        goto out;
    }
    rc = take_memory(name, reserved, huge);
    if (rc != ACL_SUCCESS)
    {
        goto out;
    }
    host = back(reserved);
    if (host == NULL)
    {
        give_memory(reserved, huge);
        rc = fail(ACL_ERROR_RT_MEMORY_ALLOCATION, "%s: the stand-in's host backing ran out", name);
        goto out;
    }
    dvpp_bytes += reserved;
    *devPtr = (void *)(uintptr_t)add(kind, take_va(reserved, page > 128 ? page : 128), size, reserved, huge, host)->va;
    END
}

aclError acldvppMalloc(void **devPtr, size_t size)
{
    return media_malloc("acldvppMalloc", K_DVPP, devPtr, size);
}

aclError acldvppFree(void *devPtr)
{
    return free_kind("acldvppFree", devPtr, K_DVPP);
}

hi_s32 hi_mpi_dvpp_malloc(hi_u32 dev_id, hi_void **dev_ptr, hi_u64 size)
{
    (void)dev_id; /* reserved by the vendor: the memory goes to the device set by aclrtSetDevice */
    return media_malloc("hi_mpi_dvpp_malloc", K_MPI, dev_ptr, size);
}

hi_s32 hi_mpi_dvpp_free(hi_void *dev_ptr)
{
    return free_kind("hi_mpi_dvpp_free", dev_ptr, K_MPI);
}

/* ---------------------------------------------------------------- reaching device memory */

/*
 * The host bytes behind [address, address + count) of device memory, in at most one piece per call: sets
 * *piece to how many bytes from address the returned pointer covers. NULL when a byte is not the caller's.
 */
static unsigned char *reach(uint64_t address, uint64_t count, uint64_t *piece)
{
    entry *e;
    for (e = entries; e; e = e->next)
    {
        if ((e->kind == K_MALLOC || e->kind == K_DVPP || e->kind == K_MPI || e->kind == K_HOST)
            && address >= e->va && address < e->va + e->size)
        {
            if (count > e->va + e->size - address)
            {
                return NULL;
            }
            *piece = count;
            return e->host + (address - e->va);
        }
        if (e->kind == K_PHYSICAL && e->mapped_at != 0 && address >= e->mapped_at && address < e->mapped_at + e->reserved)
        {
            uint64_t left = e->mapped_at + e->reserved - address;
            *piece = count < left ? count : left;
            return e->host + (address - e->mapped_at);
        }
    }
    return NULL;
}

static int is_device(uint64_t address)
{
    entry *e;
    for (e = entries; e; e = e->next)
    {
        if (e->kind != K_HOST && e->kind != K_PHYSICAL && address >= e->va && address < e->va + e->reserved)
        {
            return 1;
        }
    }
    return 0;
}

aclError aclrtMemset(void *devPtr, size_t maxCount, int32_t value, size_t count)
{
    uint64_t address = (uint64_t)(uintptr_t)devPtr, done = 0, piece = 0;
    unsigned char *host;
    BEGIN("aclrtMemset")
    if (devPtr == NULL || count > maxCount)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMemset: devPtr=%p, count=%zu must not exceed maxCount=%zu", devPtr, count, maxCount);
        goto out;
    }
    /* Check every piece first, so a refused call writes nothing. */
    for (done = 0; done < count; done += piece)
    {
        if (reach(address + done, count - done, &piece) == NULL)
        {
            rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMemset: 0x%llx is not inside memory the caller allocated or mapped (devPtr=%p, count=%zu)",
                (unsigned long long)(address + done), devPtr, count);
            goto out;
        }
    }
    for (done = 0; done < count; done += piece)
    {
        host = reach(address + done, count - done, &piece);
        memset(host, value, piece);
    }
    END
}

aclError aclrtMemcpy(void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind)
{
    uint64_t to = (uint64_t)(uintptr_t)dst, from = (uint64_t)(uintptr_t)src, done, piece = 0;
    const char *bad = NULL;
    BEGIN("aclrtMemcpy")
    if (dst == NULL || src == NULL || count > destMax || (int)kind < 0 || kind > ACL_MEMCPY_DEVICE_TO_DEVICE)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: dst=%p, destMax=%zu, src=%p, count=%zu, kind=%d", dst, destMax, src, count, (int)kind);
        goto out;
    }
    if ((kind == ACL_MEMCPY_HOST_TO_DEVICE || kind == ACL_MEMCPY_DEVICE_TO_DEVICE) != is_device(to)
        || (kind == ACL_MEMCPY_DEVICE_TO_HOST || kind == ACL_MEMCPY_DEVICE_TO_DEVICE) != is_device(from))
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: kind %d does not match dst=%p, src=%p", (int)kind, dst, src);
        goto out;
    }
    for (done = 0; done < count; done += piece)
    {
        if (is_device(to) && reach(to + done, count - done, &piece) == NULL)
        {
            bad = "dst";
            break;
        }
        if (!is_device(to))
        {
            piece = count - done;
        }
    }
    for (done = 0; bad == NULL && done < count; done += piece)
    {
        if (is_device(from) && reach(from + done, count - done, &piece) == NULL)
        {
            bad = "src";
            break;
        }
        if (!is_device(from))
        {
            piece = count - done;
        }
    }
    if (bad != NULL)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: %s is not inside memory the caller allocated or mapped (dst=%p, src=%p, count=%zu)",
            bad, dst, src, count);
        goto out;
    }
    for (done = 0; done < count; done += piece)
    {
        uint64_t p1 = count - done, p2 = count - done;
        unsigned char *d = is_device(to) ? reach(to + done, count - done, &p1) : (unsigned char *)(uintptr_t)(to + done);
        const unsigned char *s = is_device(from) ? reach(from + done, count - done, &p2) : (const unsigned char *)(uintptr_t)(from + done);
        piece = p1 < p2 ? p1 : p2;
        memmove(d, s, piece);
    }
    END
}

/* ---------------------------------------------------------------- the three-step API */

static int is_huge1g(int memAttr)
{
    /* ACL_HBM_MEM_HUGE1G, ACL_HBM_MEM_P2P_HUGE1G, ACL_MEM_HUGE1G, ACL_MEM_P2P_HUGE1G */
    return memAttr == 10 || memAttr == 11 || memAttr == 14 || memAttr == 17;
}

static aclError check_prop(const char *name, const aclrtPhysicalMemProp *prop)
{
    if (prop == NULL)
    {
        return fail(ACL_ERROR_INVALID_PARAM, "%s: prop is NULL", name);
    }
    if (prop->handleType != 0 || prop->allocationType != 0 || prop->location.type != 1 || prop->memAttr < 0 || prop->memAttr > 17)
    {
        return fail(ACL_ERROR_INVALID_PARAM, "%s: prop={handleType=%d, allocationType=%d, memAttr=%d, location={id=%u, type=%d}} is not valid",
            name, prop->handleType, prop->allocationType, prop->memAttr, prop->location.id, prop->location.type);
    }
    if (prop->location.id >= DEVICE_COUNT)
    {
        return fail(ACL_ERROR_RT_INVALID_DEVICEID, "%s: device %u does not exist", name, prop->location.id);
    }
    return ACL_SUCCESS;
}

aclError aclrtMemGetAllocationGranularity(aclrtPhysicalMemProp *prop, int option, size_t *granularity)
{
    BEGIN("aclrtMemGetAllocationGranularity")
    rc = check_prop("aclrtMemGetAllocationGranularity", prop);
    if (rc != ACL_SUCCESS)
    {
        goto out;
    }
    if (granularity == NULL || (option != 0 && option != 1))
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMemGetAllocationGranularity: option=%d, granularity=%p", option, (void *)granularity);
        goto out;
    }
    *granularity = is_huge1g(prop->memAttr) ? HUGE1G_PAGE : HUGE_PAGE;
    END
}

aclError aclrtReserveMemAddress(void **virPtr, size_t size, size_t alignment, void *expectPtr, uint64_t flags)
{
    BEGIN("aclrtReserveMemAddress")
    if (virPtr == NULL || size == 0 || size % HUGE_PAGE != 0 || alignment != 0 || expectPtr != NULL || flags > 1)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM,
            "aclrtReserveMemAddress: size=%zu must be a non-zero multiple of 2 MB; alignment=%zu and expectPtr=%p are reserved (0); flags=%llu",
            size, alignment, expectPtr, (unsigned long long)flags);
        goto out;
    }
    /* Ranges start on 1 GB so that 1 GB handles map at granule offsets too. */
    *virPtr = (void *)(uintptr_t)add(K_RANGE, take_va(size, HUGE1G_PAGE), size, size, 0, NULL)->va;
    END
}

aclError aclrtReleaseMemAddress(void *virPtr)
{
    entry *e, *p;
    BEGIN("aclrtReleaseMemAddress")
    e = find_start((uint64_t)(uintptr_t)virPtr, K_RANGE);
    if (e == NULL)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtReleaseMemAddress: %p is not a reserved range", virPtr);
        goto out;
    }
    for (p = entries; p; p = p->next)
    {
        if (p->kind == K_PHYSICAL && p->range == e)
        {
            rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtReleaseMemAddress: %p still has a handle mapped at 0x%llx: unmap first",
                virPtr, (unsigned long long)p->mapped_at);
            goto out;
        }
    }
    unlink_entry(e);
    free(e);
    END
}

aclError aclrtMallocPhysical(aclrtDrvMemHandle *handle, size_t size, const aclrtPhysicalMemProp *prop, uint64_t flags)
{
    uint64_t granularity;
    unsigned char *host;
    entry *e;
    BEGIN("aclrtMallocPhysical")
    rc = check_prop("aclrtMallocPhysical", prop);
    if (rc != ACL_SUCCESS)
    {
        goto out;
    }
    granularity = is_huge1g(prop->memAttr) ? HUGE1G_PAGE : HUGE_PAGE;
    if (handle == NULL || flags != 0 || size == 0 || size % granularity != 0)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMallocPhysical: size=%zu must be a non-zero multiple of the granularity %llu; flags=%llu must be 0",
            size, (unsigned long long)granularity, (unsigned long long)flags);
        goto out;
    }
    rc = take_memory("aclrtMallocPhysical", size, 1);
    if (rc != ACL_SUCCESS)
    {
        goto out;
    }
    host = back(size);
    if (host == NULL)
    {
        give_memory(size, 1);
        rc = fail(ACL_ERROR_RT_MEMORY_ALLOCATION, "aclrtMallocPhysical: the stand-in's host backing ran out");
        goto out;
    }
    e = add(K_PHYSICAL, 0, size, size, 1, host);
    e->granularity = granularity;
    *handle = e;
    END
}

static entry *find_handle(aclrtDrvMemHandle handle)
{
    entry *e;
    for (e = entries; e; e = e->next)
    {
        if (e == handle && e->kind == K_PHYSICAL)
        {
            return e;
        }
    }
    return NULL;
}

aclError aclrtFreePhysical(aclrtDrvMemHandle handle)
{
    entry *e;
    BEGIN("aclrtFreePhysical")
    e = find_handle(handle);
    if (e == NULL)
    {
        rc = fail(ACL_ERROR_RT_INVALID_HANDLE, "aclrtFreePhysical: %p is not a live handle", handle);
        goto out;
    }
    if (e->mapped_at != 0)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtFreePhysical: %p is mapped at 0x%llx: unmap it first", handle,
            (unsigned long long)e->mapped_at);
        goto out;
    }
    unlink_entry(e);
    munmap(e->host, e->reserved);
    give_memory(e->reserved, 1);
    free(e);
    END
}

aclError aclrtMapMem(void *virPtr, size_t size, size_t offset, aclrtDrvMemHandle handle, uint64_t flags)
{
    uint64_t va = (uint64_t)(uintptr_t)virPtr;
    entry *h, *r = NULL, *p;
    BEGIN("aclrtMapMem")
    h = find_handle(handle);
    if (h == NULL)
    {
        rc = fail(ACL_ERROR_RT_INVALID_HANDLE, "aclrtMapMem: %p is not a live handle", handle);
        goto out;
    }
    if (offset != 0 || flags != 0 || size != h->reserved)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMapMem: a handle maps whole: size=%zu must equal the handle's %llu; offset=%zu and flags=%llu must be 0",
            size, (unsigned long long)h->reserved, offset, (unsigned long long)flags);
        goto out;
    }
    if (h->mapped_at != 0)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMapMem: handle %p is already mapped at 0x%llx", handle, (unsigned long long)h->mapped_at);
        goto out;
    }
    for (p = entries; p; p = p->next)
    {
        if (p->kind == K_RANGE && va >= p->va && va < p->va + p->size)
        {
            r = p;
        }
    }
    if (r == NULL || (va - r->va) % h->granularity != 0 || size > r->va + r->size - va)
    {
        rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMapMem: virPtr=%p, size=%zu is not a granule-aligned part of a reserved range", virPtr, size);
        goto out;
    }
    for (p = entries; p; p = p->next)
    {
        if (p->kind == K_PHYSICAL && p->mapped_at != 0 && p->mapped_at < va + size && va < p->mapped_at + p->reserved)
        {
            rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtMapMem: [%p, +%zu) overlaps the handle mapped at 0x%llx", virPtr, size,
                (unsigned long long)p->mapped_at);
            goto out;
        }
    }
    h->mapped_at = va;
    h->range = r;
    mapped_bytes += size;
    END
}

aclError aclrtUnmapMem(void *virPtr)
{
    uint64_t va = (uint64_t)(uintptr_t)virPtr;
    entry *p;
    BEGIN("aclrtUnmapMem")
    for (p = entries; p; p = p->next)
    {
        if (p->kind == K_PHYSICAL && p->mapped_at == va && va != 0)
        {
            p->mapped_at = 0;
            p->range = NULL;
            mapped_bytes -= p->reserved;
            goto out;
        }
    }
    rc = fail(ACL_ERROR_INVALID_PARAM, "aclrtUnmapMem: no handle is mapped at %p", virPtr);
    END
}

/* ---------------------------------------------------------------- control, for tests */

/* The `nth` next call of `name` (1 = the next one) returns `code`. */
int standin_fail(const char *name, long nth, int code)
{
    int i;
    pthread_mutex_lock(&lock);
    for (i = 0; i < MAX_FAILS; i++)
    {
        if (fails[i].countdown <= 0)
        {
            strncpy(fails[i].name, name, sizeof fails[i].name - 1);
            fails[i].name[sizeof fails[i].name - 1] = 0;
            fails[i].countdown = nth;
            fails[i].code = code;
            armed++;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return i < MAX_FAILS ? 0 : -1;
}

/* Live allocations of one kind: 1 aclrtMalloc, 2 host, 3 acldvpp, 4 hi_mpi, 5 ranges, 6 handles; 0 all. */
long standin_live(int kind)
{
    long n = 0;
    entry *e;
    pthread_mutex_lock(&lock);
    for (e = entries; e; e = e->next)
    {
        n += kind == 0 || e->kind == kind;
    }
    pthread_mutex_unlock(&lock);
    return n;
}

long standin_mapped_bytes(void)
{
    long n;
    pthread_mutex_lock(&lock);
    n = (long)mapped_bytes;
    pthread_mutex_unlock(&lock);
    return n;
}

long standin_calls(const char *name)
{
    long n = 0;
    int i;
    pthread_mutex_lock(&lock);
    for (i = 0; i < MAX_CALLS && calls[i].name[0]; i++)
    {
        if (strcmp(calls[i].name, name) == 0)
        {
            n = calls[i].count;
        }
    }
    pthread_mutex_unlock(&lock);
    return n;
}

/* Sets the emulated device memory and its huge-page part, in bytes. */
void standin_set_capacity(long total, long huge)
{
    pthread_mutex_lock(&lock);
    capacity = (uint64_t)total;
    huge_capacity = (uint64_t)huge;
    pthread_mutex_unlock(&lock);
}
