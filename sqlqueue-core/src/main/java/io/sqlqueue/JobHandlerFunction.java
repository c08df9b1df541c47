package io.sqlqueue;

/**
 * Handles one job type. Thrown exceptions retry the job with backoff, except
 * {@link NonRetryableJobException}, which dead-letters it at once.
 *
 * <p>Delivery is at least once: a job whose worker died mid-run is run again, so handlers
 * should be idempotent.
 *
 * @param <T> the payload type the JSON payload is bound to
 */
@FunctionalInterface
public interface JobHandlerFunction<T> {

	void handle(T payload, JobContext context) throws Exception;

}
