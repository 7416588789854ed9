/* libFuzzer target: pk_config_parse on arbitrary bytes must either succeed
 * with a consistent config or fail with PK_EPARSE and a located diagnostic
 * (line and column >= 1) — never crash, leak or read out of bounds. */
#include <stdint.h>
#include <string.h>
#include "perfkit/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pk_config *c = NULL;
    pk_diag d;
    memset(&d, 0, sizeof d);
    pk_err e = pk_config_parse((const char *)data, size, "fuzz.yml", &c, &d);
    if (e == PK_OK) {
        if (!c || !c->history_path || !c->dir || strlen(c->hash) != 16)
            __builtin_trap();
        for (size_t i = 0; i < c->n_benches; i++) {
            const pk_cfg_bench *b = &c->benches[i];
            if (!b->name || b->pos.line == 0)
                __builtin_trap();
            if (b->kind == PK_BENCH_COMMAND && (!b->command || b->bench.setup != b->setup))
                __builtin_trap();
            for (size_t k = 0; k < b->n_budgets; k++)
                if (!(b->budgets[k].limit >= 0) || !b->budgets[k].text)
                    __builtin_trap();
        }
        pk_config_free(c);
    } else {
        if (c)
            __builtin_trap();
        if (e == PK_EPARSE && (d.line == 0 || d.column == 0 || !d.message[0]))
            __builtin_trap();
    }
    return 0;
}
