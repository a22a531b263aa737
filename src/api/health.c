/* Health, metrics and the OpenAPI document. */
#include "api/health.h"

#include "base/strbuf.h"
#include "service/health.h"

extern const char cal_openapi_json[];
extern const size_t cal_openapi_json_len;

int api_livez(struct request *req, struct response *res)
{
	return respond_json(res, 200, json_pack("{s:s}", "status", "ok"));
}

int api_readyz(struct request *req, struct response *res)
{
	int r = health_store_ready(req->app);
	if (r < 0)
		return cal_error_set(req->err, CAL_E_STORE, "the database does not answer");
	return respond_json(res, 200, json_pack("{s:s}", "status", "ok"));
}

int api_healthz(struct request *req, struct response *res)
{
	int r = health_store_ready(req->app);
	json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}}", "status", r == 0 ? "ok" : "degraded",
				 "version", CALENDARD_VERSION, "checks", "store",
				 r == 0 ? "ok" : "failing", "backend",
				 store_backend(req->app->store) == STORE_SQLITE ? "sqlite" : "postgres");
	return respond_json(res, r == 0 ? 200 : 503, body);
}

int api_metrics(struct request *req, struct response *res)
{
	struct strbuf out = STRBUF_INIT(8 * 1024 * 1024);
	int r = metrics_render(req->app->metrics, &out);
	if (r < 0) {
		strbuf_release(&out);
		return r;
	}
	res->status = 200;
	res->text = arena_strndup(req->arena, strbuf_str(&out), out.len);
	res->text_len = out.len;
	res->content_type = "text/plain; version=0.0.4; charset=utf-8";
	strbuf_release(&out);
	return res->text ? 0 : CAL_E_NOMEM;
}

int api_openapi(struct request *req, struct response *res)
{
	res->status = 200;
	res->text = cal_openapi_json;
	res->text_len = cal_openapi_json_len;
	res->content_type = "application/json";
	res->cache_control = "public, max-age=300";
	return 0;
}
