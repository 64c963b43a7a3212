/* See user-environment.h. The rules are OpenSSH's session.c read_environment_file(). */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fd-util.h"
#include "common/limits.h"
#include "common/macro.h"
#include "monitor/user-environment.h"

static bool is_identifier(const char *s, size_t n) {
        if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
                      (s[i] >= '0' && s[i] <= '9')))
                        return false;
        return true;
}

/* Append "NAME=VALUE" (owned) to the list of n entries, or replace an earlier one of the same NAME. */
static int list_set(char ***list, size_t *n, char *entry, size_t name_len) {
        for (size_t i = 0; i < *n; i++)
                if (strneq((*list)[i], entry, name_len + 1)) {
                        free((*list)[i]);
                        (*list)[i] = entry;
                        return 0;
                }
        char **l = realloc(*list, (*n + 2) * sizeof(char *));
        if (!l) {
                free(entry);
                return -ENOMEM;
        }
        *list = l;
        l[(*n)++] = entry;
        l[*n] = NULL;
        return 0;
}

int user_environment_parse(const char *data, size_t size, const char *origin, const Config *c, int msg_fd,
                           char ***ret) {
        _cleanup_strv_free_ char **list = NULL;
        size_t n = 0;
        unsigned lineno = 0;

        for (const char *p = data, *end = data + size; p < end; ) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *e = nl ?: end;
                const char *line = p;
                p = nl ? nl + 1 : end;

                if (++lineno > SESSION_MAX_USER_ENV_LINES)
                        return -E2BIG;
                while (line < e && (*line == ' ' || *line == '\t'))
                        line++;
                if (line == e || *line == '#')
                        continue;

                const char *eq = memchr(line, '=', (size_t) (e - line));
                if (!eq || memchr(line, '\0', (size_t) (e - line)) || !is_identifier(line, (size_t) (eq - line))) {
                        if (msg_fd >= 0)
                                dprintf(msg_fd, "Bad line %u in %.100s\n", lineno, origin);
                        continue;
                }
                size_t name_len = (size_t) (eq - line);
                _cleanup_free_ char *entry = strndup(line, (size_t) (e - line));
                if (!entry)
                        return -ENOMEM;
                entry[name_len] = '\0';         /* the name alone, for the checks */
                if (!config_user_env_allowed(c, entry)) {
                        if (config_user_env_overruled(c, entry) && msg_fd >= 0)
                                dprintf(msg_fd, "%.100s line %u: %s is never set from this file by privsshd "
                                        "(a loader or shell-startup variable)\n", origin, lineno, entry);
                        continue;
                }
                entry[name_len] = '=';
                int r = list_set(&list, &n, TAKE_PTR(entry), name_len);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(list);
        return 0;
}

int user_environment_read(const char *path, const Config *c, int msg_fd, char ***ret) {
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r = read_full_file(path, SESSION_MAX_USER_ENV_FILE, &data, &size);
        if (r == -EFBIG || r == -ENOMEM)
                return r;
        if (r < 0) {
                *ret = NULL;    /* missing, unreadable, not a regular file: no file (OpenSSH's fopen()) */
                return 0;
        }
        return user_environment_parse(data, size, path, c, msg_fd, ret);
}
