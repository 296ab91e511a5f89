// Small C sources that several test files write into temporary trees.

/** A TCP client without keepalive: one finding, with a safe fix (`name` varies the function). */
export const cClient = (name = 'dial') => `#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

int ${name}(const struct sockaddr_in *sa)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}
`;

export const CLIENT = cClient();

/** TCP-ness unknown (the domain is a parameter): a warning with --include-unknown. */
export const ANY_DOMAIN = `#include <sys/socket.h>
#include <unistd.h>

int open_any(int domain, const struct sockaddr *sa, socklen_t len)
{
    int fd = socket(domain, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, sa, len) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}
`;
