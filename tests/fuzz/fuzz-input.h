/*
 * fuzz-input.h - the file every fuzz target writes its input to: NAME in a
 * private mkdtemp directory made once per process and removed at exit
 * (tsi reads sequences, journals and extensions by path).
 */
#ifndef TSI_FUZZ_INPUT_H
#define TSI_FUZZ_INPUT_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char	fuzz_dir[] = "/tmp/fuzz-tsi.XXXXXX";
static char	fuzz_path[sizeof fuzz_dir + 64];

static void
fuzz_input_cleanup(void)
{
	unlink(fuzz_path);
	rmdir(fuzz_dir);
}

static void
fuzz_input_init(const char *name)
{
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	snprintf(fuzz_path, sizeof fuzz_path, "%s/%s", fuzz_dir, name);
	atexit(fuzz_input_cleanup);
}

static void
fuzz_input_write(const uint8_t *data, size_t size)
{
	int	fd = open(fuzz_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd == -1) {
		perror("fuzz: open");
		abort();
	}
	while (size > 0) {
		ssize_t n = write(fd, data, size);

		if (n <= 0) {
			perror("fuzz: write");
			abort();
		}
		data += n;
		size -= (size_t)n;
	}
	close(fd);
}

#endif
