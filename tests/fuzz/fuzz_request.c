/* SPDX-License-Identifier: MIT */
/*
 * fuzz_request.c — any bytes as the body of any operation, through the
 * request layer: the same steps as both front ends (parse, plan, and, when
 * the plan says it is cheap, execute under the guard).  The first byte picks
 * the operation; the rest is the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "request.h"

/* Small, so that what runs stays cheap: the fuzzer wants many runs a second. */
#define FUZZ_BUDGET 2e6

static struct guard *guard;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum req_op op;
	const struct req_limits lim = { .work_budget = FUZZ_BUDGET, .sim_threads = 1 };
	struct request req;
	struct req_error err;
	struct guard_item it;
	cJSON *fields;

	if (size < 1)
		return 0;
	if (!guard && !(guard = guard_new(10, NULL, NULL)))
		abort();
	op = (enum req_op)(data[0] % REQ_OP_COUNT);
	fields = req_json_parse((const char *)data + 1, size - 1);
	if (!fields)
		return 0;
	if (req_prepare(op, fields, &lim, &req, &err) == REQ_OK) {
		/* The budget bounds the computation; the answer's size bound its rendering. */
		if (!(req.render_work >= 0 && req.work - req.render_work >= 0 &&
		      req.work - req.render_work <= FUZZ_BUDGET))
			abort(); /* the plan accepted what it says is over the budget */
		enum guard_why why;
		cJSON *answer;
		guard_watch(guard, &it, NULL, -1, 0);
		answer = guard_execute(guard, &it, &req, &lim, &err, &why);
		if (!answer && err.status == REQ_OK)
			abort(); /* a failure without a reason */
		cJSON_Delete(answer);
	} else {
		if (err.status == REQ_OK || !err.detail[0] || err.count < 0)
			abort(); /* a rejection without a reason */
		/* count is every bad field; errors[] holds the first FO_MAX_FIELD_ERRORS. */
		for (int i = 0; i < err.count && i < FO_MAX_FIELD_ERRORS; i++)
			if (!err.errors[i].field || !err.errors[i].detail[0])
				abort(); /* a bad field without its name or rule */
	}
	cJSON_Delete(fields);
	return 0;
}
