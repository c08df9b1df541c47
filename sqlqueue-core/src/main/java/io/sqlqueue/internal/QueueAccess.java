package io.sqlqueue.internal;

import java.util.Objects;
import java.util.function.Function;

import io.sqlqueue.JobQueue;

/**
 * How the worker reaches the {@link QueueServices} behind a queue object without the queue's public API
 * showing them: the queue's class registers a function once, when it is loaded (the JDK's "shared secrets"
 * pattern). Not API.
 */
public final class QueueAccess {

	private static volatile Function<JobQueue, QueueServices> accessor;

	private QueueAccess() {
	}

	/**
	 * Registers how to reach the services of a queue; called once, by the queue class's static initializer.
	 * @throws IllegalStateException when one was registered already
	 */
	public static synchronized void register(Function<JobQueue, QueueServices> servicesOf) {
		if (accessor != null) {
			throw new IllegalStateException("The queue access is registered already");
		}
		accessor = Objects.requireNonNull(servicesOf, "servicesOf must not be null");
	}

	/**
	 * The services behind {@code queue}.
	 * @throws IllegalArgumentException when {@code queue} is not sqlqueue's own queue object
	 */
	public static QueueServices servicesOf(JobQueue queue) {
		Function<JobQueue, QueueServices> servicesOf = accessor;
		QueueServices services = (servicesOf != null) ? servicesOf.apply(queue) : null;
		if (services == null) {
			throw new IllegalArgumentException("A worker needs sqlqueue's JdbcJobQueue, not " + queue.getClass().getName());
		}
		return services;
	}

}
