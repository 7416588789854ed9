/* test_lazy.c — pk_lazy: one init under contention, sticky and retried
 * errors, every waiter told the error, recursion, reset. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "perfkit/lazy.h"

static _Atomic int calls;
static _Atomic int gate;
static int the_value = 42;

static void nap(void)
{
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
}

/* arg: the pk_err to return; waits for the gate when it is set to 1 */
/* arg: a pointer to the code to return (code(e)); NULL is PK_OK */
static int codes[300];
static void *code(int e)
{
    codes[e] = e;
    return &codes[e];
}

static pk_err init_fn(void *arg, void **value)
{
    atomic_fetch_add(&calls, 1);
    while (atomic_load(&gate) == 1)
        nap();
    *value = &the_value;
    return arg ? (pk_err) * (const int *)arg : PK_OK;
}

typedef struct racer {
    pk_lazy *l;
    void *want;
    pk_err got;
    void *v;
} racer;

static _Atomic int arrived;

static void *race(void *p)
{
    racer *r = p;
    atomic_fetch_add(&arrived, 1);
    r->got = pk_lazy_get(r->l, init_fn, r->want, &r->v);
    return NULL;
}

Test(lazy, one_init_many_threads)
{
    static pk_lazy l = PK_LAZY_INIT;
    atomic_store(&calls, 0);
    atomic_store(&gate, 1);
    atomic_store(&arrived, 0);
    pthread_t t[8];
    racer r[8];
    for (int i = 0; i < 8; i++) {
        r[i] = (racer){.l = &l, .want = code(PK_OK)};
        pthread_create(&t[i], NULL, race, &r[i]);
    }
    while (atomic_load(&arrived) < 8 || atomic_load(&calls) < 1)
        nap();
    cr_assert(!pk_lazy_ready(&l));
    atomic_store(&gate, 0);
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        cr_assert_eq(r[i].got, PK_OK);
        cr_assert_eq(r[i].v, &the_value);
    }
    cr_assert_eq(atomic_load(&calls), 1);
    cr_assert(pk_lazy_ready(&l));
    void *v;
    cr_assert_eq(pk_lazy_get(&l, init_fn, NULL, &v), PK_OK);
    cr_assert_eq(v, &the_value);
    cr_assert_eq(atomic_load(&calls), 1, "the fast path never calls init");
}

Test(lazy, waiters_all_get_the_error)
{
    static pk_lazy l = PK_LAZY_INIT;
    atomic_store(&calls, 0);
    atomic_store(&gate, 1);
    atomic_store(&arrived, 0);
    pthread_t t[6];
    racer r[6];
    for (int i = 0; i < 6; i++) {
        r[i] = (racer){.l = &l, .want = code(PK_EIO)};
        pthread_create(&t[i], NULL, race, &r[i]);
    }
    while (atomic_load(&arrived) < 6 || atomic_load(&calls) < 1)
        nap();
    atomic_store(&gate, 0);
    for (int i = 0; i < 6; i++) {
        pthread_join(t[i], NULL);
        cr_assert_eq(r[i].got, PK_EIO);
        cr_assert_null(r[i].v);
    }
    cr_assert_eq(atomic_load(&calls), 1);
}

Test(lazy, sticky_error)
{
    pk_lazy l = PK_LAZY_INIT;
    atomic_store(&calls, 0);
    atomic_store(&gate, 0);
    void *v = &v;
    cr_assert_eq(pk_lazy_get(&l, init_fn, code(PK_ENOENT), &v), PK_ENOENT);
    cr_assert_null(v);
    cr_assert_eq(pk_lazy_get(&l, init_fn, code(PK_OK), &v), PK_ENOENT, "sticky");
    cr_assert_eq(atomic_load(&calls), 1);
    /* a retry call on a sticky failure retries: the policy is the call's */
    cr_assert_eq(pk_lazy_get_retry(&l, init_fn, code(PK_OK), &v), PK_OK);
    cr_assert_eq(v, &the_value);
    cr_assert_eq(atomic_load(&calls), 2);
}

Test(lazy, retry_after_failure)
{
    pk_lazy l;
    pk_lazy_init(&l);
    atomic_store(&calls, 0);
    atomic_store(&gate, 0);
    void *v;
    cr_assert_eq(pk_lazy_get_retry(&l, init_fn, code(PK_EIO), &v), PK_EIO);
    cr_assert_eq(pk_lazy_get_retry(&l, init_fn, code(PK_ETIMEDOUT), &v), PK_ETIMEDOUT);
    cr_assert_eq(pk_lazy_get_retry(&l, init_fn, code(PK_OK), &v), PK_OK);
    cr_assert_eq(pk_lazy_get_retry(&l, init_fn, code(PK_EIO), &v), PK_OK, "ready is final");
    cr_assert_eq(atomic_load(&calls), 3);
}

static pk_lazy rec = PK_LAZY_INIT;
static pk_err rec_inner;
static pk_err recursive_init(void *arg, void **value)
{
    (void)arg;
    void *v;
    rec_inner = pk_lazy_get(&rec, recursive_init, NULL, &v);
    *value = NULL;
    return PK_OK;
}

Test(lazy, recursion_is_busy_not_a_deadlock)
{
    void *v = &v;
    cr_assert_eq(pk_lazy_get(&rec, recursive_init, NULL, &v), PK_OK);
    cr_assert_eq(rec_inner, PK_EBUSY);
    cr_assert_null(v, "a NULL value is a value");
}

static int destroyed;
static void destroy(void *v)
{
    cr_assert_eq(v, &the_value);
    destroyed++;
}

Test(lazy, reset_and_bad_arguments)
{
    pk_lazy l = PK_LAZY_INIT;
    atomic_store(&calls, 0);
    atomic_store(&gate, 0);
    void *v;
    cr_assert_eq(pk_lazy_get(&l, init_fn, NULL, &v), PK_OK);
    pk_lazy_reset(&l, destroy);
    cr_assert_eq(destroyed, 1);
    cr_assert(!pk_lazy_ready(&l));
    cr_assert_eq(pk_lazy_get(&l, init_fn, NULL, &v), PK_OK);
    cr_assert_eq(atomic_load(&calls), 2);
    pk_lazy_reset(&l, NULL);
    pk_lazy_reset(NULL, NULL);
    cr_assert_eq(pk_lazy_get(NULL, init_fn, NULL, &v), PK_EINVAL);
    cr_assert_eq(pk_lazy_get(&l, NULL, NULL, &v), PK_EINVAL);
    cr_assert_eq(pk_lazy_get(&l, init_fn, NULL, NULL), PK_EINVAL);
    /* an out-of-range code still reads as an error */
    cr_assert_eq(pk_lazy_get(&l, init_fn, code(256), &v), PK_EFAIL);
}
