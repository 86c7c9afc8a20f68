/*
 * A stand-in for flanneld (and for k3s) in the collector tests. The collector runs
 * `/proc/PID/exe --version`, so the stand-in must be a real executable with the right name:
 * the tests compile this file with gcc and install it as `flanneld` and as `k3s`.
 *
 *   --version  flanneld: prints v0.22.0 on stderr, as flanneld does (fmt.Fprintln(os.Stderr, ...));
 *              k3s: prints a k3s version banner on stdout.
 *              With FAKE_VERSION_HANG=1 in the environment it hangs instead (time-limit tests).
 *   k3s kubectl ...  fails (there is no API server in the tests).
 *   anything else    sleeps until killed, keeping its arguments and environment in /proc.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
	char exe[4096];
	const char *name = "flanneld";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		name = basename(exe);
	}
	int is_k3s = strcmp(name, "k3s") == 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-version") == 0) {
			const char *hang = getenv("FAKE_VERSION_HANG");
			if (hang != NULL && strcmp(hang, "1") == 0) {
				for (;;) pause();
			}
			if (is_k3s) {
				printf("k3s version v1.28.5+k3s1 (fake)\ngo version go1.20.12\n");
			} else {
				fprintf(stderr, "v0.22.0\n");
			}
			return 0;
		}
	}
	if (is_k3s && argc > 1 && strcmp(argv[1], "kubectl") == 0) {
		fprintf(stderr, "fake k3s: no API server here\n");
		return 1;
	}
	for (;;) pause();
}
