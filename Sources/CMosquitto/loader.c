#include "CMosquitto.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define VIGIL_STRING(x) #x
// The soname opened: Tools/package reads VIGIL_SONAME from every loader.c for the package's Depends.
// libmosquitto's soname major (1) is not its version's (LIBMOSQUITTO_MAJOR is 2).
#define VIGIL_SONAME(name, major) "lib" name ".so." VIGIL_STRING(major)

// name, result, parameters, arguments, what the twin returns while the library is not loaded.
#define VIGIL_MOSQUITTO_FUNCTIONS(X)                                                                            \
    X(mosquitto_lib_init, int, (void), (), MOSQ_ERR_NOT_SUPPORTED)                                              \
    X(mosquitto_strerror, const char *, (int e), (e), "libmosquitto is not loaded")                            \
    X(mosquitto_connack_string, const char *, (int c), (c), "libmosquitto is not loaded")                      \
    X(mosquitto_new, struct mosquitto *, (const char *id, bool clean, void *obj), (id, clean, obj), NULL)       \
    X(mosquitto_int_option, int, (struct mosquitto *m, enum mosq_opt_t o, int v), (m, o, v), MOSQ_ERR_NOT_SUPPORTED) \
    X(mosquitto_username_pw_set, int, (struct mosquitto *m, const char *u, const char *p), (m, u, p), MOSQ_ERR_NOT_SUPPORTED) \
    X(mosquitto_will_set, int, (struct mosquitto *m, const char *t, int n, const void *p, int q, bool r),      \
        (m, t, n, p, q, r), MOSQ_ERR_NOT_SUPPORTED)                                                             \
    X(mosquitto_tls_set, int,                                                                                   \
        (struct mosquitto *m, const char *ca, const char *capath, const char *cert, const char *key,            \
            int (*pw)(char *, int, int, void *)),                                                               \
        (m, ca, capath, cert, key, pw), MOSQ_ERR_NOT_SUPPORTED)                                                 \
    X(mosquitto_reconnect_delay_set, int, (struct mosquitto *m, unsigned int d, unsigned int max, bool e),     \
        (m, d, max, e), MOSQ_ERR_NOT_SUPPORTED)                                                                 \
    X(mosquitto_loop_start, int, (struct mosquitto *m), (m), MOSQ_ERR_NOT_SUPPORTED)                            \
    X(mosquitto_loop_stop, int, (struct mosquitto *m, bool f), (m, f), MOSQ_ERR_NOT_SUPPORTED)                  \
    X(mosquitto_connect_async, int, (struct mosquitto *m, const char *h, int p, int k), (m, h, p, k),          \
        MOSQ_ERR_NOT_SUPPORTED)                                                                                 \
    X(mosquitto_publish, int, (struct mosquitto *m, int *id, const char *t, int n, const void *p, int q, bool r), \
        (m, id, t, n, p, q, r), MOSQ_ERR_NOT_SUPPORTED)                                                         \
    X(mosquitto_subscribe, int, (struct mosquitto *m, int *id, const char *s, int q), (m, id, s, q),           \
        MOSQ_ERR_NOT_SUPPORTED)                                                                                 \
    X(mosquitto_disconnect, int, (struct mosquitto *m), (m), MOSQ_ERR_NOT_SUPPORTED)

// The same for functions without a result.
#define VIGIL_MOSQUITTO_PROCEDURES(X)                                                                           \
    X(mosquitto_destroy, (struct mosquitto *m), (m))                                                            \
    X(mosquitto_user_data_set, (struct mosquitto *m, void *o), (m, o))                                          \
    X(mosquitto_connect_callback_set, (struct mosquitto *m, void (*c)(struct mosquitto *, void *, int)), (m, c)) \
    X(mosquitto_disconnect_callback_set, (struct mosquitto *m, void (*c)(struct mosquitto *, void *, int)), (m, c)) \
    X(mosquitto_publish_callback_set, (struct mosquitto *m, void (*c)(struct mosquitto *, void *, int)), (m, c)) \
    X(mosquitto_message_callback_set,                                                                           \
        (struct mosquitto *m, void (*c)(struct mosquitto *, void *, const struct mosquitto_message *)), (m, c))

#define VIGIL_POINTER(name, result, parameters, arguments, fallback) static result(*p_##name) parameters;
#define VIGIL_PROCEDURE_POINTER(name, parameters, arguments) static void(*p_##name) parameters;
VIGIL_MOSQUITTO_FUNCTIONS(VIGIL_POINTER)
VIGIL_MOSQUITTO_PROCEDURES(VIGIL_PROCEDURE_POINTER)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static char failure[512];

static void load(void) {
    void *library = dlopen(VIGIL_SONAME("mosquitto", 1), RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *text = dlerror();
        snprintf(failure, sizeof failure, "dlopen: %s", text ? text : "unknown error");
        return;
    }
#define VIGIL_RESOLVE_NAME(name)                                                                \
    *(void **)(&p_##name) = dlsym(library, #name);                                              \
    if (!p_##name) {                                                                            \
        const char *text = dlerror();                                                           \
        snprintf(failure, sizeof failure, "dlsym %s: %s", #name, text ? text : "not found");   \
        return;                                                                                 \
    }
#define VIGIL_RESOLVE(name, result, parameters, arguments, fallback) VIGIL_RESOLVE_NAME(name)
#define VIGIL_RESOLVE_PROCEDURE(name, parameters, arguments) VIGIL_RESOLVE_NAME(name)
    VIGIL_MOSQUITTO_FUNCTIONS(VIGIL_RESOLVE)
    VIGIL_MOSQUITTO_PROCEDURES(VIGIL_RESOLVE_PROCEDURE)
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
}

int vigil_mosquitto_load(char *message, size_t capacity) {
    pthread_once(&once, load);
    if (vigil_mosquitto_is_loaded()) return 0;
    if (message && capacity > 0) snprintf(message, capacity, "%s", failure);
    return -1;
}

int vigil_mosquitto_is_loaded(void) { return __atomic_load_n(&loaded, __ATOMIC_ACQUIRE); }

#define VIGIL_TWIN(name, result, parameters, arguments, fallback)                               \
    result vigil_##name parameters { return vigil_mosquitto_is_loaded() ? p_##name arguments : fallback; }
#define VIGIL_PROCEDURE_TWIN(name, parameters, arguments)                                        \
    void vigil_##name parameters { if (vigil_mosquitto_is_loaded()) p_##name arguments; }
VIGIL_MOSQUITTO_FUNCTIONS(VIGIL_TWIN)
VIGIL_MOSQUITTO_PROCEDURES(VIGIL_PROCEDURE_TWIN)
