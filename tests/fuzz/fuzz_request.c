/*
 * fuzz_request.c — any bytes as the body of any operation, through the
 * request layer: the same steps as both front ends (parse, plan, and, when
 * the plan says it is cheap, execute under the guard).  The first byte picks
 * the operation; the rest is the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/request.h"
#include "guard.h"

/* Small, so that what runs stays cheap: the fuzzer wants many runs a second. */
#define FUZZ_BUDGET 2e6

static const char *const ops[] = { "calc_fanout", "simulate_gossip", "tradeoff" };

static struct guard *guard;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct req_op_info *op;
	const struct req_limits lim = { .work_budget = FUZZ_BUDGET, .sim_threads = 1 };
	struct request req;
	struct req_error err;
	struct guard_item it;
	cJSON *fields, *answer;

	if (size < 1)
		return 0;
	if (!guard && !(guard = guard_new(10, NULL, NULL)))
		abort();
	op = req_op_lookup(ops[data[0] % (sizeof ops / sizeof ops[0])]);
	if (!op)
		return 0;
	fields = req_json_parse((const char *)data + 1, size - 1);
	if (!fields)
		return 0;
	if (req_parse(op->op, fields, &req, &err) == REQ_OK && req_plan(&req, &lim, &err) == REQ_OK) {
		if (!(req.work >= 0 && req.work <= FUZZ_BUDGET))
			abort(); /* the plan accepted what it says is over the budget */
		guard_watch(guard, &it, NULL, -1, 0);
		guard_begin(guard, &it, req.work);
		answer = req_execute(&req, &lim, &it.cancel, &err);
		guard_unwatch(guard, &it);
		if (!answer && err.status == REQ_OK)
			abort(); /* a failure without a reason */
		cJSON_Delete(answer);
	} else if (err.status == REQ_OK || !err.detail[0]) {
		abort(); /* a rejection without a reason */
	}
	cJSON_Delete(fields);
	return 0;
}
