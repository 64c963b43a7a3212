/*
 * The keyword tables at work: finding a keyword (or its alias), "the first obtained value wins"
 * (sshd_config(5)), the policy for the OpenSSH keywords privsshd does not implement (config_unsupported[]:
 * warn, refuse or ignore as deprecated), -T walking the table, and the table listing for the doc check.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/config-internal.h"
#include "common/config-keywords.h"
#include "common/config.h"
#include "common/log.h"
#include "common/macro.h"

_Static_assert(ELEMENTSOF(config_keywords) <= 64 * CONFIG_SEEN_WORDS, "Config.seen has one bit per keyword row");

/* ---- unsupported keywords ------------------------------------------------------------------------- */

static bool word_in_list(const char *word, const char *list) {
        size_t len = strlen(word);
        for (const char *p = list; p; p = strchr(p, '|'), p = p ? p + 1 : NULL) {
                size_t l = strcspn(p, "|");
                if (l == len && strncasecmp(p, word, len) == 0)
                        return true;
        }
        return false;
}

/* The arguments, joined by one space, equal `value` (case-insensitively)? */
static bool args_equal(char **args, size_t n, const char *value) {
        const char *v = value;
        for (size_t i = 0; i < n; i++) {
                if (i > 0 && *v++ != ' ')
                        return false;
                size_t len = strlen(args[i]);
                if (strncasecmp(v, args[i], len) != 0)
                        return false;
                v += len;
        }
        return *v == '\0';
}

static int unsupported_check_syntax(ConfigContext *ctx, const ConfigUnsupported *u, char **args, size_t n) {
        long long v;

        if (!u->syntax)
                return 0;
        if (n > 1)
                return config_error(ctx, "extra argument for %s: \"%s\"", u->name, args[1]);
        if (streq(u->syntax, "<one>"))
                return 0;
        bool ok;
        if (streq(u->syntax, "<int>"))
                ok = config_number_from_string(args[0], 0, INT32_MAX, &v) == 0;
        else if (streq(u->syntax, "<time>"))
                ok = config_time_from_string(args[0], INT32_MAX, &v) == 0;
        else
                ok = word_in_list(args[0], u->syntax);
        return ok ? 0 : config_invalid_value(ctx, u->name, args[0]);
}

static int apply_unsupported(ConfigContext *ctx, const ConfigUnsupported *u, char **args, size_t n) {
        int r;

        if (u->policy == CONFIG_DEPRECATED) {
                config_warning(ctx, "%s is deprecated; ignored, as OpenSSH does", u->name);
                return 0;
        }
        if (n == 0)
                return config_error(ctx, "missing argument for %s", u->name);
        r = unsupported_check_syntax(ctx, u, args, n);
        if (r < 0)
                return r;
        if (u->honoured && args_equal(args, n, u->honoured)) {
                log_debug("%s:%u: %s %s is what privsshd does anyway", ctx->file ?: "command line", ctx->line,
                          u->name, u->honoured);
                return 0;
        }

        switch (u->policy) {
        case CONFIG_WARN:
                config_warning(ctx, "%s is not supported by privsshd yet; ignored", u->name);
                return 0;
        case CONFIG_REFUSE:
                return config_error(ctx, "%s is not supported by privsshd yet and ignoring it could allow more "
                                    "than configured", u->name);
        case CONFIG_DEPRECATED:
        default:
                return 0;
        }
}

/* ---- lookup and "first value wins" ---------------------------------------------------------------- */

const ConfigKeyword *config_keyword_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(config_keywords); i++)
                if (strcasecmp(config_keywords[i].name, name) == 0)
                        return &config_keywords[i];
        for (size_t i = 0; i < ELEMENTSOF(config_aliases); i++)
                if (strcasecmp(config_aliases[i].alias, name) == 0)
                        return config_keyword_find(config_aliases[i].name);
        return NULL;
}

static const ConfigUnsupported *unsupported_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(config_unsupported); i++)
                if (strcasecmp(config_unsupported[i].name, name) == 0)
                        return &config_unsupported[i];
        return NULL;
}

bool config_keyword_seen(const Config *c, const ConfigKeyword *kw) {
        size_t i = (size_t) (kw - config_keywords);
        return c->seen[i / 64] & (UINT64_C(1) << (i % 64));
}

static void keyword_set_seen(Config *c, const ConfigKeyword *kw) {
        size_t i = (size_t) (kw - config_keywords);
        c->seen[i / 64] |= UINT64_C(1) << (i % 64);
}

static int apply_keyword(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n) {
        Config *c = ctx->config;
        void *field = NULL;
        int r;

        if (n == 0 && !(kw->flags & CONFIG_NO_ARG_OK))
                return config_error(ctx, "missing argument for %s", kw->name);
        if ((kw->flags & CONFIG_ONE_ARG) && n > 1)
                return config_error(ctx, "extra argument for %s: \"%s\"", kw->name, args[1]);

        /* The first obtained value wins (sshd_config(5)); later ones are still checked. */
        if (kw->offset != CONFIG_NO_FIELD && ((kw->flags & CONFIG_MULTI) || !config_keyword_seen(c, kw)))
                field = (uint8_t *) c + kw->offset;
        r = kw->parse(ctx, kw, args, n, field);
        if (r < 0)
                return r;
        keyword_set_seen(c, kw);
        return 0;
}

/* Apply one line's keyword (an implemented one, an alias or an unsupported one) to ctx->config. */
int config_keywords_apply(ConfigContext *ctx, const char *keyword, char **args, size_t n) {
        const ConfigKeyword *kw = config_keyword_find(keyword);
        const ConfigUnsupported *u = kw ? NULL : unsupported_find(keyword);
        if (!kw && !u)
                return config_error(ctx, "Bad configuration option: %s", keyword);

        /* Match lines change the state; Include lines carry it into their files (config-match.c). */
        if (kw && kw->parse == config_parse_match)
                return kw->parse(ctx, kw, args, n, NULL);
        if (ctx->inactive && !config_match_allowed(keyword)) {
                if (ctx->match)
                        return 0;       /* the second pass: a global line, taken at load */
                return config_error(ctx, "Directive '%s' is not allowed within a Match block", keyword);
        }
        if (u)
                /* Its policy was applied at load: the second pass says nothing again. */
                return ctx->match ? 0 : apply_unsupported(ctx, u, args, n);
        if (!ctx->inactive || kw->parse == config_parse_include)
                return apply_keyword(ctx, kw, args, n);

        /* A line of a Match block that does not apply: checked as OpenSSH checks it, into a scratch
         * Config, so that neither the value nor "first value wins" is taken from it. */
        Config *scratch = malloc(sizeof *scratch);
        if (!scratch)
                return -ENOMEM;
        int r = config_init(scratch);
        if (r >= 0) {
                ConfigContext check = *ctx;
                check.config = scratch;
                r = apply_keyword(&check, kw, args, n);
                config_done(scratch);
        }
        free(scratch);
        return r;
}

void config_dump(const Config *c, FILE *f) {
        for (size_t i = 0; i < ELEMENTSOF(config_keywords); i++) {
                const ConfigKeyword *kw = &config_keywords[i];
                if (!kw->dump)
                        continue;
                kw->dump(c, kw, kw->offset == CONFIG_NO_FIELD ? NULL : (const uint8_t *) c + kw->offset, f);
        }
}

int config_keyword_at(size_t i, const char **ret_name, const char **ret_status) {
        const char *name, *status;

        if (i < ELEMENTSOF(config_keywords)) {
                name = config_keywords[i].name;
                status = "implemented";
        } else if ((i -= ELEMENTSOF(config_keywords)) < ELEMENTSOF(config_aliases)) {
                name = config_aliases[i].alias;
                status = "implemented";
        } else if ((i -= ELEMENTSOF(config_aliases)) < ELEMENTSOF(config_unsupported)) {
                const ConfigUnsupported *u = &config_unsupported[i];
                name = u->name;
                switch (u->policy) {
                case CONFIG_WARN:
                        status = "warned";
                        break;
                case CONFIG_REFUSE:
                        status = "refused";
                        break;
                case CONFIG_DEPRECATED:
                        status = "deprecated";
                        break;
                default:
                        return -EINVAL;
                }
        } else
                return -ENOENT;

        if (ret_name)
                *ret_name = name;
        if (ret_status)
                *ret_status = status;
        return 0;
}
