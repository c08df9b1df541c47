package io.sqlqueue.internal.execution;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryState;
import org.springframework.core.retry.Retryable;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Retries the worker's own database calls through a short outage (a failover, a restart, a dropped
 * connection) with Spring's core retry, so that a blip loses no outcome and stops no loop.
 */
public final class DatabaseRetry {

	private final RetryTemplate template;

	/**
	 * A retry of transient failures.
	 * @param onTransientFailure told of each failure that will be retried, so that a worker whose
	 * handlers wait out an outage in here reports itself unhealthy meanwhile
	 */
	public DatabaseRetry(Duration maxDelay, long maxRetries, Consumer<Throwable> onTransientFailure) {
		RetryPolicy policy = RetryPolicy.builder()
			.predicate(DatabaseRetry::isTransient)
			.maxRetries(maxRetries)
			.delay(Duration.ofMillis(100))
			.multiplier(2)
			.maxDelay(maxDelay)
			.build();
		this.template = new RetryTemplate(policy);
		this.template.setRetryListener(new RetryListener() {
			@Override
			public void beforeRetry(RetryPolicy retryPolicy, Retryable<?> retryable, RetryState state) {
				Throwable failure = state.getLastException();
				if (failure != null) {
					onTransientFailure.accept(failure);
				}
			}
		});
	}

	/** Runs {@code call}, retrying transient database failures; the last failure is rethrown. */
	public <T> T call(Supplier<T> call) {
		return this.template.invoke(call);
	}

	/**
	 * Whether {@code ex} is a failure worth retrying later: a connection lost, refused or killed, or a
	 * transient conflict. Drivers do not all say so in a way Spring translates (a MariaDB connection killed
	 * mid-statement, a rollback on a dead connection), so the causes' SQL states are read too.
	 */
	public static boolean isTransient(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause instanceof TransientDataAccessException || cause instanceof RecoverableDataAccessException
					|| cause instanceof DataAccessResourceFailureException
					|| cause instanceof CannotCreateTransactionException || cause instanceof SQLTransientException
					|| cause instanceof SQLRecoverableException || cause instanceof SQLNonTransientConnectionException) {
				return true;
			}
			if (cause instanceof SQLException sql && isConnectionState(sql.getSQLState())) {
				return true;
			}
		}
		return false;
	}

	/**
	 * SQL states of a connection that went away: class 08 (connection exception), PostgreSQL's 57P01-57P03
	 * (administrator or crash shutdown, cannot connect now) and MariaDB's 70100 (query or connection killed).
	 */
	private static boolean isConnectionState(String state) {
		return state != null && (state.startsWith("08") || state.startsWith("57P0") || state.equals("70100"));
	}

}
