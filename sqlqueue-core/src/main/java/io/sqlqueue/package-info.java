/**
 * sqlqueue's public API: the queue, jobs, enqueue options, handlers' context, interceptors and listeners. Nothing is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.sqlqueue;

import org.jspecify.annotations.NullMarked;
