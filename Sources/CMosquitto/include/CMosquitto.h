#ifndef VIGIL_CMOSQUITTO_H
#define VIGIL_CMOSQUITTO_H
// libmosquitto, loaded with dlopen when the first MQTT client is made rather than linked: it
// pulls in OpenSSL's libssl and libcrypto (some 2 MB resident), which a recorder without
// `mqtt:` should not pay. The header gives the types and constants; every function is called
// through a vigil_-prefixed twin that forwards to the symbol dlsym found.
#include <stdbool.h>
#include <stddef.h>
#include <mosquitto.h>

/// Loads libmosquitto (its soname, libmosquitto.so.1) and resolves every function below, once
/// per process; later calls return the first result. Returns 0 on success; on failure -1, with
/// dlerror's text in `message` (NUL-terminated, at most `capacity` bytes). Thread-safe. Until
/// it succeeds, the functions below fail (MOSQ_ERR_NOT_SUPPORTED, NULL, or nothing).
int vigil_mosquitto_load(char *message, size_t capacity);

/// Whether libmosquitto is loaded in this process (by vigil_mosquitto_load).
int vigil_mosquitto_is_loaded(void);

int vigil_mosquitto_lib_init(void);
const char *vigil_mosquitto_strerror(int mosq_errno);
const char *vigil_mosquitto_connack_string(int connack_code);
struct mosquitto *vigil_mosquitto_new(const char *id, bool clean_session, void *obj);
void vigil_mosquitto_destroy(struct mosquitto *mosq);
void vigil_mosquitto_user_data_set(struct mosquitto *mosq, void *obj);
int vigil_mosquitto_int_option(struct mosquitto *mosq, enum mosq_opt_t option, int value);
int vigil_mosquitto_username_pw_set(struct mosquitto *mosq, const char *username, const char *password);
int vigil_mosquitto_will_set(struct mosquitto *mosq, const char *topic, int payloadlen, const void *payload, int qos, bool retain);
int vigil_mosquitto_tls_set(struct mosquitto *mosq, const char *cafile, const char *capath, const char *certfile, const char *keyfile, int (*pw_callback)(char *buf, int size, int rwflag, void *userdata));
int vigil_mosquitto_reconnect_delay_set(struct mosquitto *mosq, unsigned int reconnect_delay, unsigned int reconnect_delay_max, bool reconnect_exponential_backoff);
void vigil_mosquitto_connect_callback_set(struct mosquitto *mosq, void (*on_connect)(struct mosquitto *, void *, int));
void vigil_mosquitto_disconnect_callback_set(struct mosquitto *mosq, void (*on_disconnect)(struct mosquitto *, void *, int));
void vigil_mosquitto_publish_callback_set(struct mosquitto *mosq, void (*on_publish)(struct mosquitto *, void *, int));
void vigil_mosquitto_message_callback_set(struct mosquitto *mosq, void (*on_message)(struct mosquitto *, void *, const struct mosquitto_message *));
int vigil_mosquitto_loop_start(struct mosquitto *mosq);
int vigil_mosquitto_loop_stop(struct mosquitto *mosq, bool force);
int vigil_mosquitto_connect_async(struct mosquitto *mosq, const char *host, int port, int keepalive);
int vigil_mosquitto_publish(struct mosquitto *mosq, int *mid, const char *topic, int payloadlen, const void *payload, int qos, bool retain);
int vigil_mosquitto_subscribe(struct mosquitto *mosq, int *mid, const char *sub, int qos);
int vigil_mosquitto_disconnect(struct mosquitto *mosq);
#endif
