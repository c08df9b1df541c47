package io.sqlqueue.dialect;

/**
 * A run whose lease was extended.
 *
 * @param id the job id
 * @param cancelRequested whether cancellation has been requested since the run started
 */
public record LeaseStatus(long id, boolean cancelRequested) {
}
