package io.sqlqueue.internal.store;

/**
 * The outcome of inserting one job.
 *
 * @param id the new job's id, or the id of the active job holding the unique key
 * @param inserted {@code false} when an active job already held the unique key
 */
public record InsertResult(long id, boolean inserted) {
}
