package io.sqlqueue.internal.store;

/**
 * One run of a job: its id and the attempt number that fences it. Every transition out of RUNNING
 * is guarded by both, so a worker that lost its lease cannot change the job.
 *
 * @param id the job id
 * @param attempt the attempt this run holds
 */
public record JobRef(long id, int attempt) {
}
