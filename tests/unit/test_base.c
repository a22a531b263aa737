/* base/: errors table, arena, strbuf, uuid, JWT, metrics. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>
#include <string.h>

#include "base/arena.h"
#include "base/crypto.h"
#include "base/errors.h"
#include "base/jwt.h"
#include "base/metrics.h"
#include "base/strbuf.h"
#include "base/uuid.h"

Test(errors, table_gives_status_and_stable_codes)
{
	cr_assert_eq(cal_error_status(CAL_E_NOT_FOUND), 404);
	cr_assert_str_eq(cal_error_code(CAL_E_INVALID), "validation_failed");
	cr_assert_eq(cal_error_status(CAL_E_PRECONDITION), 412);
	cr_assert_eq(cal_error_status(12345), 500);
	cr_assert_eq(cal_error_status(0), 500);
}

Test(errors, fields_are_capped_not_overflowed)
{
	struct cal_error err = { 0 };
	for (int i = 0; i < 100; i++)
		cr_assert_eq(cal_error_field(&err, "f", "bad"), CAL_E_INVALID);
	cr_assert_eq(err.n_fields, CAL_ERROR_MAX_FIELDS);
	cr_assert_eq(cal_error_set(&err, CAL_E_NOT_FOUND, "x"), CAL_E_NOT_FOUND);
	cr_assert_eq(err.code, CAL_E_INVALID, "the first error stays");
}

Test(arena, many_sizes_stay_aligned_and_zeroed)
{
	struct arena *a = arena_new();
	for (size_t n = 1; n < 70000; n = n * 3 + 1) {
		unsigned char *p = arena_alloc(a, n);
		cr_assert_not_null(p);
		cr_assert_eq((uintptr_t)p % 16, 0);
		for (size_t i = 0; i < n; i++)
			cr_assert_eq(p[i], 0);
		memset(p, 0xab, n);
	}
	cr_assert_str_eq(arena_printf(a, "%s-%d", "x", 42), "x-42");
	cr_assert_null(arena_strdup(a, NULL));
	cr_assert_null(arena_calloc(a, SIZE_MAX / 2, 4));
	arena_free(a);
	arena_free(NULL);
}

Test(arena, grow_keeps_items_and_doubles)
{
	struct arena *a = arena_new();
	int *items = NULL;
	size_t alloc = 0;
	for (size_t n = 0; n < 100; n++) {
		int *before = items;
		size_t had = alloc;
		items = arena_grow(a, items, n, &alloc, sizeof *items);
		cr_assert_not_null(items);
		cr_assert(n < had ? items == before && alloc == had : alloc >= 8 && alloc > n);
		items[n] = (int)n;
	}
	for (int i = 0; i < 100; i++)
		cr_assert_eq(items[i], i);
	arena_free(a);
}

Test(strbuf, cap_is_enforced)
{
	struct strbuf sb = STRBUF_INIT(10);
	cr_assert_eq(strbuf_puts(&sb, "0123456789"), 0);
	cr_assert_eq(strbuf_puts(&sb, "x"), CAL_E_TOO_LARGE);
	cr_assert_str_eq(strbuf_str(&sb), "0123456789");
	cr_assert_eq(strbuf_printf(&sb, "%d", 1), CAL_E_TOO_LARGE);
	size_t len;
	char *s = strbuf_detach(&sb, &len);
	cr_assert_eq(len, 10);
	free(s);
	cr_assert_str_eq(strbuf_str(&sb), "");
}

Test(strbuf, detach_of_an_empty_buffer_is_an_empty_string)
{
	struct strbuf sb = STRBUF_INIT(10);
	size_t len = 99;
	char *s = strbuf_detach(&sb, &len);
	cr_assert_not_null(s);
	cr_assert_eq(len, 0);
	cr_assert_str_eq(s, "", "a buffer that never grew must still come back terminated");
	free(s);
}

Test(uuid, parse_folds_case_and_rejects_junk)
{
	cal_uuid u;
	cr_assert(cal_uuid_parse("ABCDEF00-1234-4abc-8def-0123456789AB", &u));
	cr_assert_str_eq(u.s, "abcdef00-1234-4abc-8def-0123456789ab");
	cr_assert_not(cal_uuid_parse("abcdef00-1234-4abc-8def-0123456789a", &u));
	cr_assert_not(cal_uuid_parse("abcdef00x1234-4abc-8def-0123456789ab", &u));
	cr_assert_not(cal_uuid_parse("' OR 1=1 --", &u));
	cr_assert_not(cal_uuid_parse(NULL, &u));
	cal_uuid_new(&u);
	cr_assert(cal_uuid_valid(u.s));
	cr_assert_eq(u.s[14], '4');
}

static const uint8_t secret[] = "0123456789abcdef0123456789abcdef";

static struct cal_jwt_keys keys(void)
{
	return (struct cal_jwt_keys){ .hs_secret = secret, .hs_secret_len = 32 };
}

static char *mint(int64_t exp)
{
	struct cal_jwt_claims c = { .iat = 1000, .exp = exp, .admin = 1 };
	cal_uuid_parse("00000000-0000-4000-8000-000000000001", &c.sub);
	cal_uuid_parse("00000000-0000-4000-8000-000000000002", &c.company);
	char *t = NULL;
	struct cal_jwt_keys k = keys();
	cr_assert_eq(cal_jwt_mint(&k, &c, &t), 0);
	return t;
}

Test(jwt, round_trip_and_expiry)
{
	cr_assert_eq(sodium_init() >= 0, 1);
	char *t = mint(2000);
	struct cal_jwt_claims c;
	struct cal_jwt_keys k = keys();
	cr_assert_eq(cal_jwt_verify(&k, t, 1500, &c), 0);
	cr_assert_str_eq(c.sub.s, "00000000-0000-4000-8000-000000000001");
	cr_assert(c.admin);
	cr_assert_eq(cal_jwt_verify(&k, t, 2000, &c), CAL_E_UNAUTHORIZED);
	free(t);
}

static char *b64(const char *s)
{
	size_t n = sodium_base64_ENCODED_LEN(strlen(s), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = malloc(n);
	return sodium_bin2base64(out, n, (const unsigned char *)s, strlen(s), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

Test(jwt, alg_none_and_tampering_are_refused)
{
	struct cal_jwt_keys k = keys();
	struct cal_jwt_claims c;
	char *h = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
	char *p = b64("{\"sub\":\"00000000-0000-4000-8000-000000000001\",\"exp\":99999999999}");
	char none[512];
	snprintf(none, sizeof none, "%s.%s.", h, p);
	cr_assert_eq(cal_jwt_verify(&k, none, 1500, &c), CAL_E_UNAUTHORIZED);

	char *t = mint(2000);
	char *dot = strchr(t, '.');
	char forged[1024];
	snprintf(forged, sizeof forged, "%.*s.%s%s", (int)(dot - t), t, p, strrchr(t, '.'));
	cr_assert_eq(cal_jwt_verify(&k, forged, 1500, &c), CAL_E_UNAUTHORIZED);

	struct cal_jwt_keys other = { .hs_secret = (const uint8_t *)"another-secret-another-secret-xx", .hs_secret_len = 32 };
	cr_assert_eq(cal_jwt_verify(&other, t, 1500, &c), CAL_E_UNAUTHORIZED);
	cr_assert_eq(cal_jwt_verify(&k, "garbage", 1500, &c), CAL_E_UNAUTHORIZED);
	cr_assert_eq(cal_jwt_verify(&k, "", 1500, &c), CAL_E_UNAUTHORIZED);
	free(h);
	free(p);
	free(t);
}

Test(jwt, an_hs256_token_is_refused_when_rs256_is_configured)
{
	/* Algorithm confusion: the attacker signs HS256 with the public key
	 * text as the secret. The verifier must not even try HS256. */
	const char *pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
	struct cal_jwt_keys signer = { .hs_secret = (const uint8_t *)pem, .hs_secret_len = strlen(pem) };
	struct cal_jwt_claims c = { .iat = 1, .exp = 99999999999 };
	cal_uuid_parse("00000000-0000-4000-8000-000000000001", &c.sub);
	char *t;
	cr_assert_eq(cal_jwt_mint(&signer, &c, &t), 0);
	struct cal_jwt_keys verifier = { .rs_public_pem = pem };
	struct cal_jwt_claims out;
	cr_assert_eq(cal_jwt_verify(&verifier, t, 10, &out), CAL_E_UNAUTHORIZED);
	free(t);
}

Test(crypto, password_hash_and_verify)
{
	cr_assert_eq(cal_crypto_init(), 0);
	char hash[CAL_PASSWORD_HASH_MAX];
	cr_assert_eq(cal_password_hash("correct horse", hash), 0);
	cr_assert(strncmp(hash, "$argon2id$", 10) == 0);
	cr_assert(cal_password_verify(hash, "correct horse"));
	cr_assert_not(cal_password_verify(hash, "wrong"));
	cr_assert_not(cal_password_verify(NULL, "correct horse"));
}

Test(metrics, renders_prometheus_text)
{
	static const char *const labels[] = { "route=\"/a\",method=\"GET\"", "route=\"unmatched\"" };
	struct metrics *m = metrics_new(labels, 2);
	metrics_observe(m, 0, 200, 0.0007);
	metrics_observe(m, 0, 404, 3.0);
	metrics_observe(m, 9, 200, 0.1); /* out of range: ignored */
	struct strbuf out = STRBUF_INIT(1 << 20);
	cr_assert_eq(metrics_render(m, &out), 0);
	const char *s = strbuf_str(&out);
	cr_assert_not_null(strstr(s, "calendard_http_requests_total{route=\"/a\",method=\"GET\",status=\"2xx\"} 1"));
	cr_assert_not_null(strstr(s, "calendard_http_requests_total{route=\"/a\",method=\"GET\",status=\"4xx\"} 1"));
	cr_assert_not_null(strstr(s, "calendard_http_request_duration_seconds_bucket{route=\"/a\",method=\"GET\",le=\"0.001\"} 1"));
	cr_assert_not_null(strstr(s, "calendard_http_request_duration_seconds_bucket{route=\"/a\",method=\"GET\",le=\"+Inf\"} 2"));
	cr_assert_null(strstr(s, "unmatched\",status"));
	strbuf_release(&out);
	metrics_free(m);
}

#include "base/jsonw.h"

Test(jsonw, writes_valid_json_that_jansson_reads_back)
{
	struct strbuf out = STRBUF_INIT(1 << 20);
	struct jsonw w;
	jsonw_init(&w, &out);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "s", "quote\" backslash\\ nl\n tab\t ctl\x01 ünï ☕ </script>");
	jsonw_kv_null(&w, "n");
	jsonw_kv_string(&w, "ns", NULL);
	jsonw_kv_int(&w, "i", -9007199254740993LL);
	jsonw_kv_bool(&w, "b", false);
	jsonw_key(&w, "a");
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_key(&w, "nested");
	jsonw_array_begin(&w);
	for (int i = 0; i < 3; i++) {
		jsonw_object_begin(&w);
		jsonw_kv_int(&w, "k", i);
		jsonw_object_end(&w);
	}
	jsonw_string(&w, "");
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	cr_assert_eq(w.err, 0);
	json_error_t jerr;
	json_t *v = json_loads(strbuf_str(&out), JSON_REJECT_DUPLICATES, &jerr);
	cr_assert_not_null(v, "%s: %s", jerr.text, strbuf_str(&out));
	cr_assert_str_eq(json_string_value(json_object_get(v, "s")),
			 "quote\" backslash\\ nl\n tab\t ctl\x01 ünï ☕ </script>");
	cr_assert(json_is_null(json_object_get(v, "ns")));
	cr_assert_eq(json_integer_value(json_object_get(v, "i")), -9007199254740993LL);
	cr_assert_eq(json_array_size(json_object_get(v, "nested")), 4);
	json_decref(v);
	strbuf_release(&out);
}

Test(jsonw, the_cap_is_an_error_not_an_overflow)
{
	struct strbuf out = STRBUF_INIT(16);
	struct jsonw w;
	jsonw_init(&w, &out);
	jsonw_array_begin(&w);
	for (int i = 0; i < 100; i++)
		jsonw_string(&w, "abcdef");
	jsonw_array_end(&w);
	cr_assert_eq(w.err, CAL_E_TOO_LARGE);
	cr_assert_leq(out.len, 16);
	strbuf_release(&out);
}
