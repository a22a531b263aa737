/* The layers of DESIGN.md are real boundaries: model/ includes no I/O
 * library, api/ no SQL or libmicrohttpd, store/ builds no JSON. This test
 * reads the sources (CALENDARD_SOURCE_DIR, set by CMake). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_dir(const char *dir, const char *const *forbidden)
{
	const char *root = getenv("CALENDARD_SOURCE_DIR");
	cr_assert_not_null(root, "CALENDARD_SOURCE_DIR is not set");
	char path[4096];
	snprintf(path, sizeof path, "%s/src/%s", root, dir);
	DIR *d = opendir(path);
	cr_assert_not_null(d, "cannot open %s", path);
	struct dirent *ent;
	int files = 0;
	while ((ent = readdir(d))) {
		size_t n = strlen(ent->d_name);
		if (n < 3 || (strcmp(ent->d_name + n - 2, ".c") && strcmp(ent->d_name + n - 2, ".h")))
			continue;
		char file[8192];
		snprintf(file, sizeof file, "%s/%s", path, ent->d_name);
		FILE *f = fopen(file, "r");
		cr_assert_not_null(f);
		char line[4096];
		while (fgets(line, sizeof line, f))
			for (const char *const *bad = forbidden; *bad; bad++)
				cr_assert_null(strstr(line, *bad), "%s includes %s", file, *bad);
		fclose(f);
		files++;
	}
	closedir(d);
	cr_assert_gt(files, 0);
}

Test(layers, model_has_no_io_libraries)
{
	static const char *const bad[] = { "microhttpd.h", "curl/curl.h", "sqlite3.h", "libpq-fe.h",
					   "jansson.h",    "unistd.h",    "fcntl.h",   "fopen(",
					   "fprintf(",     "getenv(",     NULL };
	check_dir("model", bad);
}

Test(layers, api_never_touches_sql_or_the_transport)
{
	static const char *const bad[] = { "sqlite3.h", "libpq-fe.h", "microhttpd.h", "store/backend.h", NULL };
	check_dir("api", bad);
}

Test(layers, store_builds_no_json)
{
	static const char *const bad[] = { "jansson.h", "microhttpd.h", NULL };
	check_dir("store", bad);
	check_dir("store/sqlite", bad);
	check_dir("store/pg", bad);
}

Test(layers, only_service_opens_transactions)
{
	static const char *const bad[] = { "store_begin(", "tx_run(", NULL };
	check_dir("api", bad);
	check_dir("http", bad);
}
