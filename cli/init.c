/* init.c — `perfkit init`: start a project's perfkit.yml the way people
 * start with any tool. pk_config_scaffold finds the programs and writes
 * the commented text; this file checks it loads and validates (a file
 * init writes must never be the first error a user sees), then creates
 * perfkit.yml without replacing one (O_EXCL) unless --force. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit init [options]\n"
"\n"
"Write perfkit.yml in the current directory: a benchmark for each program\n"
"found in build/, bin/, out/, target/release/ and here (executable ELF\n"
"files; Google Benchmark binaries are recognised), or a template to edit\n"
"when there is none. Every key is commented. Then: perfkit check.\n"
"\n"
"Options:\n"
"      --force    replace an existing perfkit.yml\n"
"      --stdout   print the file instead of writing it\n"
"  -h, --help     this help\n"
"\n"
"Exit: 0 written, 2 perfkit.yml exists (without --force) or cannot be written.\n";

enum { OPT_FORCE = 256, OPT_STDOUT };

static const struct option longopts[] = {
    {"force", no_argument, NULL, OPT_FORCE},
    {"stdout", no_argument, NULL, OPT_STDOUT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "init";
static const char *const FILE_NAME = "perfkit.yml";

/* The text must load and validate here; else it is perfkit's bug. */
static int self_check(const char *text)
{
    pk_config *c = NULL;
    pk_diag d = {0};
    pk_err e = pk_config_parse(text, strlen(text), FILE_NAME, &c, &d);
    if (e == PK_OK)
        e = pk_config_validate(c, &d);
    pk_config_free(c);
    if (e == PK_OK)
        return CLI_OK;
    char msg[1400];
    cli_error(CMD, "internal error: the generated file does not validate: %s",
              pk_diag_format(&d, msg, sizeof msg));
    return CLI_INTERNAL;
}

static int write_file(const char *text, bool force)
{
    int fd = open(FILE_NAME, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
    if (fd < 0 && errno == EEXIST) {
        cli_error(CMD, "%s already exists: not replaced (--force replaces it; --stdout "
                       "prints the new one)", FILE_NAME);
        return CLI_USAGE;
    }
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        cli_error(CMD, "cannot write %s: %s", FILE_NAME, strerror(errno));
        if (fd >= 0)
            close(fd);
        return CLI_USAGE;
    }
    bool ok = fputs(text, f) >= 0;
    if (fclose(f) != 0 || !ok) {
        cli_error(CMD, "writing %s failed: %s", FILE_NAME, strerror(errno));
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cmd_init(int argc, char **argv)
{
    bool force = false, to_stdout = false;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_FORCE: force = true; break;
        case OPT_STDOUT: to_stdout = true; break;
        case 'h': fputs(usage_text, stdout); return CLI_OK;
        default: opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        }
    }
    if (optind < argc) {
        cli_error(CMD, "unexpected argument `%s`: init writes ./perfkit.yml", argv[optind]);
        return CLI_USAGE;
    }
    if (!to_stdout && !force && access(FILE_NAME, F_OK) == 0) {   /* before any scan */
        cli_error(CMD, "%s already exists: not replaced (--force replaces it; --stdout "
                       "prints the new one)", FILE_NAME);
        return CLI_USAGE;
    }
    char *text = NULL;
    size_t n = 0;
    pk_err e = pk_config_scaffold(NULL, &text, &n);
    if (e != PK_OK) {
        cli_error(CMD, "%s", pk_strerror(e));
        return CLI_INTERNAL;
    }
    int rc = self_check(text);
    if (rc == CLI_OK && to_stdout)
        fputs(text, stdout);
    else if (rc == CLI_OK && (rc = write_file(text, force)) == CLI_OK) {
        if (n)
            printf("wrote %s with %zu benchmark%s: check their arguments, then run "
                   "`perfkit check`\n", FILE_NAME, n, n == 1 ? "" : "s");
        else
            printf("wrote %s with a template benchmark (no program found): replace it with "
                   "yours, then run `perfkit check`\n", FILE_NAME);
    }
    pk_free(text);
    return rc;
}
