/* The per-thread last error message of libspinmdc (spinmd_last_error). */
#include <string.h>
#include "spinmd_internal.h"

static _Thread_local char last_error[4096];

void spinmd_internal_set_error(const char *message) {
    size_t n = message ? strlen(message) : 0;
    if (n >= sizeof last_error) {
        n = sizeof last_error - 1;
        /* Do not cut a UTF-8 sequence in half. */
        while (n > 0 && ((unsigned char)message[n] & 0xC0) == 0x80) n--;
    }
    if (n) memcpy(last_error, message, n);
    last_error[n] = '\0';
}

const char *spinmd_last_error(void) { return last_error; }
