/* Not part of the public interface: what the Swift side of libspinmdc calls. */
#ifndef SPINMD_INTERNAL_H
#define SPINMD_INTERNAL_H
#include "spinmd.h"
/* Stores `message` (UTF-8, truncated to 4095 bytes) as the calling thread's last error. */
__attribute__((visibility("hidden"))) void spinmd_internal_set_error(const char *message);
#endif
