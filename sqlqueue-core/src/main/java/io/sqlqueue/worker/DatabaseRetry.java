package io.sqlqueue.worker;

import java.time.Duration;
import java.util.function.Supplier;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Retries the worker's own database calls through a short outage (a failover, a restart, a dropped
 * connection) with Spring's core retry, so that a blip loses no outcome and stops no loop.
 */
final class DatabaseRetry {

	private final RetryTemplate template;

	DatabaseRetry(Duration maxDelay, long maxRetries) {
		RetryPolicy policy = RetryPolicy.builder()
			.includes(TransientDataAccessException.class, RecoverableDataAccessException.class,
					DataAccessResourceFailureException.class, CannotCreateTransactionException.class)
			.maxRetries(maxRetries)
			.delay(Duration.ofMillis(100))
			.multiplier(2)
			.maxDelay(maxDelay)
			.build();
		this.template = new RetryTemplate(policy);
	}

	/** Runs {@code call}, retrying transient database failures; the last failure is rethrown. */
	<T> T call(Supplier<T> call) {
		return this.template.invoke(call);
	}

	/** Whether {@code ex} is a failure worth retrying later. */
	static boolean isTransient(Throwable ex) {
		return ex instanceof TransientDataAccessException || ex instanceof RecoverableDataAccessException
				|| ex instanceof DataAccessResourceFailureException || ex instanceof CannotCreateTransactionException;
	}

}
