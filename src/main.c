/* calendard: the one binary. Wires the layers (the only file that sees all
 * of them) and runs a subcommand: serve, migrate, company/user/partner add,
 * token, routes. Each subcommand prints only its result on stdout; logs and
 * errors go to stderr. */
#include <curl/curl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/handler.h"
#include "api/ical.h"
#include "base/config.h"
#include "base/crypto.h"
#include "base/jwt.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/tz.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "service/app.h"
#include "service/busy_cache.h"
#include "service/directory.h"
#include "service/ical.h"

static const char usage[] =
	"usage: calendard [--help] [--version] COMMAND [ARGS]\n"
	"\n"
	"commands:\n"
	"  serve                      run the HTTP server (CALENDARD_LISTEN, default 127.0.0.1:8080)\n"
	"  migrate                    apply pending database migrations\n"
	"  company add --name NAME --slug SLUG\n"
	"                             create a company; prints its id\n"
	"  user add --company SLUG --email EMAIL --name NAME [--password PASSWORD]\n"
	"           [--timezone ZONE] [--lang es|en] [--phone +E164] [--admin]\n"
	"                             create a user; prints its id\n"
	"  partner add --company SLUG --name NAME [--email EMAIL] [--phone PHONE]\n"
	"                             create a partner (external contact); prints its id\n"
	"  token --email EMAIL [--ttl SECONDS]\n"
	"                             print a bearer token (JWT) for that user\n"
	"  import FILE --email EMAIL  import an iCalendar file into that user's calendar; prints the report\n"
	"  routes                     print the route table, one \"METHOD PATH\" a line\n"
	"\n"
	"Configuration comes from environment variables; see README.md.\n";

struct options {
	const char *name, *slug, *company, *email, *password, *timezone, *lang, *phone, *ttl;
	bool admin;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },     { "slug", required_argument, NULL, 's' },
		{ "company", required_argument, NULL, 'c' },  { "email", required_argument, NULL, 'e' },
		{ "password", required_argument, NULL, 'p' }, { "timezone", required_argument, NULL, 'z' },
		{ "lang", required_argument, NULL, 'l' },     { "phone", required_argument, NULL, 'f' },
		{ "ttl", required_argument, NULL, 't' },      { "admin", no_argument, NULL, 'a' },
		{ 0 },
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': o->name = optarg; break;
		case 's': o->slug = optarg; break;
		case 'c': o->company = optarg; break;
		case 'e': o->email = optarg; break;
		case 'p': o->password = optarg; break;
		case 'z': o->timezone = optarg; break;
		case 'l': o->lang = optarg; break;
		case 'f': o->phone = optarg; break;
		case 't': o->ttl = optarg; break;
		case 'a': o->admin = true; break;
		default: return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

static int report(const char *what, int r, const struct cal_error *err)
{
	if (r >= 0)
		return 0;
	fprintf(stderr, "calendard: %s: %s", what, err->detail ? err->detail : cal_error_title(r));
	for (unsigned i = 0; i < err->n_fields; i++)
		fprintf(stderr, "%s --%s %s", i ? ";" : ":", err->fields[i].field, err->fields[i].detail);
	fputc('\n', stderr);
	return 1;
}

static int cmd_migrate(struct app *app)
{
	const char *failed = NULL;
	int r = store_migrate(app->store, &failed);
	if (r < 0) {
		fprintf(stderr, "calendard: migration %s failed and was rolled back\n", failed ? failed : "?");
		return 1;
	}
	return 0;
}

static int cmd_token(struct app *app, const struct options *o)
{
	if (!o->email) {
		fputs("calendard: token needs --email\n", stderr);
		return 2;
	}
	long ttl = o->ttl ? strtol(o->ttl, NULL, 10) : (long)app->config->token_ttl;
	if (ttl <= 0 || ttl > (long)app->config->limits.token_ttl_max) {
		fputs("calendard: --ttl must be 1..31622400 seconds\n", stderr);
		return 2;
	}
	if (app->config->jwt_public_key) {
		fputs("calendard: tokens come from the identity provider (CALENDARD_JWT_PUBLIC_KEY is set)\n", stderr);
		return 1;
	}
	_cleanup_(arena_freep) struct arena *a = arena_new();
	struct cal_user u;
	int r = directory_user_by_email(app, a, o->email, &u);
	if (r < 0) {
		fprintf(stderr, "calendard: token: no user with e-mail %s\n", o->email);
		return 1;
	}
	int64_t now = cal_clock_now(&app->clock);
	struct cal_jwt_claims claims = { .sub = u.id, .company = u.company_id,
					 .admin = u.role == CAL_USER_ADMIN, .iat = now, .exp = now + ttl };
	struct cal_jwt_keys keys = { .hs_secret = app->config->jwt_secret,
				     .hs_secret_len = app->config->jwt_secret_len };
	char *token;
	if (cal_jwt_mint(&keys, &claims, &token) < 0)
		return 1;
	puts(token);
	free(token);
	return 0;
}

static int cmd_add(struct app *app, const char *noun, const struct options *o)
{
	struct cal_error err = { 0 };
	cal_uuid id;
	int r;
	if (strcmp(noun, "company") == 0) {
		r = directory_company_add(app, o->name, o->slug, &err, &id);
	} else if (strcmp(noun, "user") == 0) {
		struct user_add_request req = { .company_slug = o->company, .email = o->email, .name = o->name,
						.password = o->password, .timezone = o->timezone,
						.lang = o->lang, .phone = o->phone, .admin = o->admin };
		r = directory_user_add(app, &req, &err, &id);
	} else if (strcmp(noun, "partner") == 0) {
		r = directory_partner_add(app, o->company, o->name, o->email, o->phone, &err, &id);
	} else {
		fputs(usage, stderr);
		return 2;
	}
	if (report(noun, r, &err))
		return 1;
	puts(id.s);
	return 0;
}

static int cmd_import(struct app *app, const char *file, const struct options *o)
{
	if (!o->email) {
		fputs("calendard: import needs --email\n", stderr);
		return 2;
	}
	_cleanup_(arena_freep) struct arena *a = arena_new();
	FILE *f = fopen(file, "rb");
	if (!f) {
		fprintf(stderr, "calendard: import: cannot open %s\n", file);
		return 1;
	}
	struct strbuf text = STRBUF_INIT(app->config->limits.body_max * 4);
	char buf[65536];
	size_t n;
	int r = 0;
	while (r == 0 && (n = fread(buf, 1, sizeof buf, f)) > 0)
		r = strbuf_add(&text, buf, n);
	fclose(f);
	struct cal_user u;
	struct cal_principal who;
	struct cal_error err = { 0 };
	struct ical_import_report rep;
	if (r == 0 && (r = directory_user_by_email(app, a, o->email, &u)) == 0 &&
	    (r = directory_principal(app, a, u.id.s, NULL, &who)) == 0)
		r = ical_import(app, a, &who, strbuf_str(&text), text.len, &rep, &err);
	strbuf_release(&text);
	if (report("import", r, &err))
		return 1;
	json_t *out = api_import_report_json(&rep);
	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(out);
	return 0;
}

static int cmd_serve(struct app *app)
{
	if (cmd_migrate(app) != 0)
		return 1;
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	/* Blocked before the server's threads exist, so only sigwait sees them. */
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct jobs *jobs = NULL;
	if (app->config->jobs && jobs_start(app, &jobs) < 0) {
		log_error(NULL, "cannot start the background jobs", NULL);
		return 1;
	}
	struct http_server *server;
	if (http_server_start(app, &server) < 0) {
		jobs_stop(jobs);
		log_error(NULL, "cannot listen", json_pack("{s:s, s:i}", "host", app->config->listen_host,
							   "port", app->config->listen_port));
		return 1;
	}
	log_info(NULL, "serving",
		 json_pack("{s:s, s:i, s:s, s:i}", "url", app->config->public_url, "threads",
			   app->config->threads, "store",
			   store_backend(app->store) == STORE_SQLITE ? "sqlite" : "postgres", "pid", getpid()));
	int sig = 0;
	sigwait(&stop, &sig);
	log_info(NULL, "stopping", json_pack("{s:i}", "signal", sig));
	http_server_stop(server, 10);
	/* After the server: a request that was finishing may still have
	 * rung a bell. A message being sent completes first. */
	jobs_stop(jobs);
	log_info(NULL, "stopped", NULL);
	return 0;
}

static int cmd_routes(void)
{
	for (size_t i = 0; i < api_routes_count; i++) {
		printf("%s ", api_routes[i].method);
		/* OpenAPI spells ":id" as "{id}". */
		for (const char *p = api_routes[i].path; *p; p++) {
			if (*p != ':') {
				putchar(*p);
				continue;
			}
			putchar('{');
			while (p[1] && p[1] != '/')
				putchar(*++p);
			putchar('}');
		}
		putchar('\n');
	}
	return 0;
}

static int run(struct app *app, int argc, char **argv)
{
	const char *cmd = argv[1];
	if (strcmp(cmd, "serve") == 0 && argc == 2)
		return cmd_serve(app);
	if (strcmp(cmd, "migrate") == 0 && argc == 2)
		return cmd_migrate(app);
	struct options o = { 0 };
	if (strcmp(cmd, "token") == 0) {
		if (parse_options(argc - 1, argv + 1, &o) < 0)
			goto bad;
		return cmd_token(app, &o);
	}
	if (strcmp(cmd, "import") == 0 && argc >= 3) {
		if (parse_options(argc - 2, argv + 2, &o) < 0)
			goto bad;
		return cmd_import(app, argv[2], &o);
	}
	if (argc >= 3 && strcmp(argv[2], "add") == 0) {
		if (parse_options(argc - 2, argv + 2, &o) < 0)
			goto bad;
		return cmd_add(app, cmd, &o);
	}
bad:
	fputs(usage, stderr);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("calendard " CALENDARD_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "routes") == 0)
		return cmd_routes();

	enum log_level level = LOG_INFO;
	const char *lv = getenv("CALENDARD_LOG_LEVEL");
	if (lv && log_parse_level(lv, &level) < 0) {
		fputs("calendard: CALENDARD_LOG_LEVEL must be debug, info, warn or error\n", stderr);
		return 2;
	}
	log_set_level(level);
	if (cal_crypto_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	struct cal_config cfg;
	const char *why = NULL;
	if (cal_config_load(&cfg, &why) < 0) {
		fprintf(stderr, "calendard: %s\n", why ? why : "bad configuration");
		cal_config_release(&cfg);
		return 2;
	}
	struct app app = { .config = &cfg, .clock = { .offset_ms = cfg.clock_offset_ms },
			   .busy_cache = busy_cache_new(cfg.limits.busy_cache_users) };
	int rc = 1;
	if (cal_tzdb_new(cfg.zoneinfo_dir, &app.tzdb) < 0) {
		fprintf(stderr, "calendard: cannot open the time-zone database %s\n", cfg.zoneinfo_dir);
	} else if (store_open(cfg.database_url, cfg.db_pool, &app.store) < 0) {
		fprintf(stderr, "calendard: cannot open the database (CALENDARD_DATABASE_URL)\n");
	} else {
		if (strcmp(argv[1], "serve") != 0 && strcmp(argv[1], "migrate") != 0)
			cmd_migrate(&app);
		rc = run(&app, argc, argv);
	}
	store_close(app.store);
	cal_tzdb_free(app.tzdb);
	busy_cache_free(app.busy_cache);
	cal_config_release(&cfg);
	curl_global_cleanup();
	return rc;
}
