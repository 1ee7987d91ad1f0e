#include "lib/services/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

const char *files_location_root(const conf_t *conf, const char *name)
{
    for (size_t i = 0; name && i < conf->nstorage; i++)
        if (!strcmp(conf->storage[i].name, name))
            return conf->storage[i].root;
    return NULL;
}

bool files_name_safe(const char *name)
{
    return name && *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

const char *files_path(arena_t *a, const char *root, const char *name)
{
    size_t rn = strlen(root);
    while (rn > 1 && root[rn - 1] == '/')
        rn--;
    return arena_printf(a, "%.*s/%s", (int)rn, root, name);
}

/* mkdir -p root. */
static int ensure_dir(arena_t *a, const char *root)
{
    char *p = arena_strdup(a, root);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int files_write(arena_t *a, const char *root, const char *name, const void *data, size_t n)
{
    if (ensure_dir(a, root) < 0)
        return -1;
    const char *path = files_path(a, root, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n > (1u << 30) ? (1u << 30) : n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int keep = errno;
            close(fd);
            unlink(path);
            errno = keep;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    if (close(fd) < 0) {
        unlink(path);
        return -1;
    }
    return 0;
}

int files_move(arena_t *a, const char *root, const char *from, const char *to)
{
    return rename(files_path(a, root, from), files_path(a, root, to));
}

void files_remove(arena_t *a, const char *root, const char *name)
{
    unlink(files_path(a, root, name));
}

void files_remove_prefix(arena_t *a, const char *root, const char *prefix)
{
    DIR *d = opendir(root);
    if (!d)
        return;
    size_t n = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncasecmp(e->d_name, prefix, n) != 0)
            continue;
        const char *path = files_path(a, root, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            unlink(path);
    }
    closedir(d);
}

bool files_stat(arena_t *a, const char *root, const char *name, int64_t *size)
{
    struct stat st;
    if (stat(files_path(a, root, name), &st) < 0 || !S_ISREG(st.st_mode))
        return false;
    *size = (int64_t)st.st_size;
    return true;
}
