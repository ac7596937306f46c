/*
 * check.c - `catwalk check -c FILE`: validate a configuration and summarise
 * it, without touching the warehouse.  Useful in a deployment pipeline
 * before the nightly job picks a config up.
 */
#include "commands.h"
#include "options.h"
#include "../core/config.h"
#include "../extract/live.h"

#include <stdio.h>

static const cw_command_help check_help = {
    "check",
    "-c FILE [--quiet] [--verbose]",
    "Validate the configuration: every error is printed as FILE:LINE: key: message\n"
    "and the exit status is 2 when there is any.",
    "exit status: 0 valid; 2 usage or configuration error.",
};

int cmd_check(int argc, char **argv)
{
    cw_common_options common = {0};
    const cw_option options[] = {CW_OPT_COMMON(&common), CW_OPT_END()};
    cw_config *cfg;
    int status = cw_options_no_operands(&check_help, options, &common, argc, argv, &cfg);
    if (status >= 0)
        return status;
    if (cw_live_check(cfg) != 0) {
        cw_config_free(cfg);
        return CW_EXIT_USAGE;
    }
    if (cfg->n_sources == 0)
        fprintf(stderr, "%s: warning: no [source] section: run and extract will load nothing\n",
                common.config);
    printf("%s: ok: %zu sources, %zu applications, %zu status rules\nwarehouse: %s\nlanding: %s\n",
           common.config, cfg->n_sources, cfg->n_apps, cfg->n_statuses, cfg->warehouse,
           cfg->landing);
    cw_config_free(cfg);
    return CW_EXIT_OK;
}
