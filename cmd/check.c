/*
 * check.c - `catwalk check -c FILE`: validate a configuration and summarise
 * it, without touching the warehouse.  Useful in a deployment pipeline
 * before the nightly job picks a config up.
 */
#include "commands.h"
#include "../core/config.h"
#include "../extract/live.h"
#include "../extract/source.h"

#include <getopt.h>
#include <stdio.h>

static void check_usage(FILE *out)
{
    fprintf(out, "usage: catwalk check -c FILE\n\n"
                 "Validate the configuration: every error is printed as FILE:LINE: key: message\n"
                 "and the exit status is 2 when there is any.\n");
}

int cmd_check(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *config_path = NULL;
    cw_config *cfg;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
        if (opt == 'c')
            config_path = optarg;
        else if (opt == 'h') {
            check_usage(stdout);
            return CW_EXIT_OK;
        } else {
            check_usage(stderr);
            return CW_EXIT_USAGE;
        }
    }
    if (!config_path) {
        check_usage(stderr);
        return CW_EXIT_USAGE;
    }
    if (cw_config_load(config_path, cw_source_check, &cfg) != 0)
        return CW_EXIT_USAGE;
    if (cw_live_check(cfg) != 0) {
        cw_config_free(cfg);
        return CW_EXIT_USAGE;
    }
    if (cfg->n_sources == 0)
        fprintf(stderr, "%s: warning: no [source] section: run and extract will load nothing\n",
                config_path);
    printf("%s: ok: %zu sources, %zu applications, %zu status rules\nwarehouse: %s\nlanding: %s\n",
           config_path, cfg->n_sources, cfg->n_apps, cfg->n_statuses, cfg->warehouse, cfg->landing);
    cw_config_free(cfg);
    return CW_EXIT_OK;
}
