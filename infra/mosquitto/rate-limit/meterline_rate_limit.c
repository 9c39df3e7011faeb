/*
 * meterline_rate_limit: a Mosquitto 2 plugin that gives every client id two token buckets on
 * what it publishes, one of messages and one of bytes (topic + payload). A publish with a token
 * of each passes; any other is refused at the door: MQTT 5 PUBACK 0x87 for QoS 1 (the only
 * reason code a 2.0 message plugin can give), nothing stored, nothing forwarded. So one device
 * publishing as fast as it can no longer fills the queue every other device's readings wait in
 * (issue 17, bench:flood), and the device is told, so it keeps the refused reading to send later.
 *
 * The bucket belongs to the client id, not to the connection: reconnecting does not refill it.
 * The broker binds a device account to its client id, so entries are at most one per account.
 *
 * Options (plugin_opt_<name>), every one a positive number:
 *   messages_per_second, message_burst   the message bucket's refill rate and size
 *   bytes_per_second, byte_burst         the byte bucket's; byte_burst must be at least the
 *                                        listener's max_packet_size, or the biggest messages
 *                                        would never pass
 *   log_interval_seconds                 refusals are logged per client at most once per interval,
 *                                        with their count, so the log cannot be flooded instead
 *                                        (default 10)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mosquitto.h"
#include "mosquitto_broker.h"
#include "mosquitto_plugin.h"

struct limits {
	double messages_per_second;
	double message_burst;
	double bytes_per_second;
	double byte_burst;
	double log_interval_seconds;
};

struct bucket {
	struct bucket *next;
	/* In the list of buckets with refusals not yet logged. */
	struct bucket *next_unlogged;
	bool unlogged;
	uint64_t hash;
	double messages;
	double bytes;
	double refilled_at;
	double logged_at;
	uint64_t refused_since_log;
	char client_id[];
};

struct buckets {
	struct bucket **slots;
	size_t slot_count;
	size_t count;
};

static mosquitto_plugin_id_t *plugin_id = NULL;
static struct limits limits = { 0, 0, 0, 0, 10 };
static struct buckets buckets = { NULL, 0, 0 };
static struct bucket *unlogged = NULL;

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* FNV-1a: client ids are short; any spread will do, the table only has to stay small and fast. */
static uint64_t hash_of(const char *text)
{
	uint64_t hash = 1469598103934665603ULL;
	for(const unsigned char *c = (const unsigned char *)text; *c; c++){
		hash = (hash ^ *c) * 1099511628211ULL;
	}
	return hash;
}

static bool grow(void)
{
	size_t slot_count = buckets.slot_count ? buckets.slot_count * 2 : 1024;
	struct bucket **slots = mosquitto_calloc(slot_count, sizeof(*slots));
	if(!slots) return false;
	for(size_t i = 0; i < buckets.slot_count; i++){
		struct bucket *b = buckets.slots[i];
		while(b){
			struct bucket *next = b->next;
			size_t slot = b->hash % slot_count;
			b->next = slots[slot];
			slots[slot] = b;
			b = next;
		}
	}
	mosquitto_free(buckets.slots);
	buckets.slots = slots;
	buckets.slot_count = slot_count;
	return true;
}

/* The client's bucket, made full on its first publish; NULL only when memory runs out. */
static struct bucket *bucket_of(const char *client_id, double now)
{
	uint64_t hash = hash_of(client_id);
	if(buckets.slot_count){
		for(struct bucket *b = buckets.slots[hash % buckets.slot_count]; b; b = b->next){
			if(b->hash == hash && !strcmp(b->client_id, client_id)) return b;
		}
	}
	if(buckets.count >= buckets.slot_count / 4 * 3 && !grow()) return NULL;
	size_t id_length = strlen(client_id);
	struct bucket *b = mosquitto_calloc(1, sizeof(*b) + id_length + 1);
	if(!b) return NULL;
	memcpy(b->client_id, client_id, id_length + 1);
	b->hash = hash;
	b->messages = limits.message_burst;
	b->bytes = limits.byte_burst;
	b->refilled_at = now;
	b->logged_at = now - limits.log_interval_seconds;
	size_t slot = hash % buckets.slot_count;
	b->next = buckets.slots[slot];
	buckets.slots[slot] = b;
	buckets.count++;
	return b;
}

static void refill(struct bucket *b, double now)
{
	double elapsed = now - b->refilled_at;
	b->refilled_at = now;
	b->messages += elapsed * limits.messages_per_second;
	if(b->messages > limits.message_burst) b->messages = limits.message_burst;
	b->bytes += elapsed * limits.bytes_per_second;
	if(b->bytes > limits.byte_burst) b->bytes = limits.byte_burst;
}

static void note_refusal(struct bucket *b)
{
	b->refused_since_log++;
	if(b->unlogged) return;
	b->unlogged = true;
	b->next_unlogged = unlogged;
	unlogged = b;
}

/* One line per refusing client per interval, from the broker's loop, with the count since the last. */
static int on_tick(int event, void *event_data, void *userdata)
{
	(void)event;
	(void)event_data;
	(void)userdata;
	if(!unlogged) return MOSQ_ERR_SUCCESS;
	double now = now_seconds();
	for(struct bucket **link = &unlogged; *link; ){
		struct bucket *b = *link;
		if(now - b->logged_at < limits.log_interval_seconds){
			link = &b->next_unlogged;
			continue;
		}
		mosquitto_log_printf(MOSQ_LOG_NOTICE,
				"meterline-rate-limit: refused %" PRIu64 " publishes from client %s over its rate (%g messages/s, burst %g; %g bytes/s, burst %g)",
				b->refused_since_log, b->client_id,
				limits.messages_per_second, limits.message_burst, limits.bytes_per_second, limits.byte_burst);
		b->refused_since_log = 0;
		b->logged_at = now;
		b->unlogged = false;
		*link = b->next_unlogged;
	}
	return MOSQ_ERR_SUCCESS;
}

static int on_message(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_message *message = event_data;
	(void)event;
	(void)userdata;

	const char *client_id = mosquitto_client_id(message->client);
	if(!client_id) return MOSQ_ERR_ACL_DENIED;
	double now = now_seconds();
	struct bucket *b = bucket_of(client_id, now);
	if(!b){
		mosquitto_log_printf(MOSQ_LOG_ERR, "meterline-rate-limit: out of memory; refusing a publish from client %s", client_id);
		return MOSQ_ERR_ACL_DENIED;
	}
	refill(b, now);
	double cost = (double)message->payloadlen + (double)strlen(message->topic);
	if(b->messages >= 1 && b->bytes >= cost){
		b->messages -= 1;
		b->bytes -= cost;
		return MOSQ_ERR_SUCCESS;
	}
	note_refusal(b);
	return MOSQ_ERR_ACL_DENIED;
}

static bool read_limit(const struct mosquitto_opt *opt, const char *key, double *into)
{
	if(strcmp(opt->key, key)) return false;
	char *end = NULL;
	errno = 0;
	double value = strtod(opt->value, &end);
	if(errno || end == opt->value || *end || !(value > 0)){
		mosquitto_log_printf(MOSQ_LOG_ERR, "meterline-rate-limit: plugin_opt_%s must be a positive number, not '%s'", key, opt->value);
		*into = -1;
	}else{
		*into = value;
	}
	return true;
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for(int i = 0; i < supported_version_count; i++){
		if(supported_versions[i] == 5) return 5;
	}
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **user_data, struct mosquitto_opt *opts, int opt_count)
{
	(void)user_data;
	for(int i = 0; i < opt_count; i++){
		if(read_limit(&opts[i], "messages_per_second", &limits.messages_per_second)) continue;
		if(read_limit(&opts[i], "message_burst", &limits.message_burst)) continue;
		if(read_limit(&opts[i], "bytes_per_second", &limits.bytes_per_second)) continue;
		if(read_limit(&opts[i], "byte_burst", &limits.byte_burst)) continue;
		if(read_limit(&opts[i], "log_interval_seconds", &limits.log_interval_seconds)) continue;
	}
	if(!(limits.messages_per_second > 0 && limits.message_burst >= 1 && limits.bytes_per_second > 0 && limits.byte_burst > 0 && limits.log_interval_seconds > 0)){
		mosquitto_log_printf(MOSQ_LOG_ERR,
				"meterline-rate-limit: needs positive plugin_opt_messages_per_second, plugin_opt_message_burst (at least 1), plugin_opt_bytes_per_second and plugin_opt_byte_burst");
		return MOSQ_ERR_INVAL;
	}
	if(!grow()) return MOSQ_ERR_NOMEM;
	plugin_id = identifier;
	mosquitto_log_printf(MOSQ_LOG_INFO, "meterline-rate-limit: every client may publish %g messages/s (burst %g) and %g bytes/s (burst %g)",
			limits.messages_per_second, limits.message_burst, limits.bytes_per_second, limits.byte_burst);
	int rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_MESSAGE, on_message, NULL, NULL);
	return rc ? rc : mosquitto_callback_register(plugin_id, MOSQ_EVT_TICK, on_tick, NULL, NULL);
}

int mosquitto_plugin_cleanup(void *user_data, struct mosquitto_opt *opts, int opt_count)
{
	(void)user_data;
	(void)opts;
	(void)opt_count;
	int rc = MOSQ_ERR_SUCCESS;
	if(plugin_id){
		rc = mosquitto_callback_unregister(plugin_id, MOSQ_EVT_MESSAGE, on_message, NULL);
		int tick_rc = mosquitto_callback_unregister(plugin_id, MOSQ_EVT_TICK, on_tick, NULL);
		if(!rc) rc = tick_rc;
	}
	unlogged = NULL;
	for(size_t i = 0; i < buckets.slot_count; i++){
		struct bucket *b = buckets.slots[i];
		while(b){
			struct bucket *next = b->next;
			mosquitto_free(b);
			b = next;
		}
	}
	mosquitto_free(buckets.slots);
	buckets.slots = NULL;
	buckets.slot_count = 0;
	buckets.count = 0;
	return rc;
}
