/**
 * The worker that runs handlers, and its settings.
 */
@NullMarked
package io.sqlqueue.worker;

import org.jspecify.annotations.NullMarked;
