package io.sqlqueue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.dialect.PostgresDialect;

/**
 * Sends the PostgreSQL notifications that wake workers in other processes, after the enqueue has
 * committed and off the enqueuing thread, coalesced per queue: while one notification is on its
 * way, the queues of every enqueue that commits meanwhile are gathered and sent together in the
 * next, at most one every {@link #MIN_INTERVAL_NANOS 2 ms}, so a burst of a thousand enqueues
 * costs a handful of notifications, not a thousand. The first enqueue after a quiet spell is
 * notified at once.
 *
 * <p>Why not {@code pg_notify} inside the enqueuing transaction: PostgreSQL lets one notifying
 * transaction commit at a time and holds that lock until the commit is flushed to disk, so
 * notifying enqueues could no longer share their WAL flushes, and single-enqueue throughput
 * halved. The notification is only a hint (workers poll as well), so it is sent in a transaction
 * of its own that does not wait for its flush.
 *
 * <p>The thread is started on demand and ends after a minute without work, so an idle queue
 * holds no thread and no connection.
 */
final class NotificationSender {

	private static final Logger logger = LoggerFactory.getLogger(NotificationSender.class);

	/**
	 * The least time from one notification to the next while enqueues keep coming: a job committed
	 * right after a notification waits at most this long for its own, and a stream of single
	 * enqueues costs the database at most one notifying transaction per interval.
	 */
	static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

	private final PostgresDialect dialect;

	private final ThreadPoolExecutor executor;

	/** Queues with an enqueue committed since the last notification was sent. */
	private final Set<String> pending = new LinkedHashSet<>();

	/** Whether a sender task is queued or running; guarded by {@link #pending}. */
	private boolean sending;

	/** Whether an enqueue is notifying in its own insert; guarded by {@link #pending}. */
	private boolean inlineInFlight;

	/** When the last notification went out ({@code System.nanoTime()}); guarded by {@link #pending}. */
	private long lastSent = System.nanoTime() - MIN_INTERVAL_NANOS;

	private int failures;

	/** The sending queue object's origin, carried by every notification. */
	private final String origin;

	NotificationSender(PostgresDialect dialect, String origin) {
		this.dialect = dialect;
		this.origin = origin;
		this.executor = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), (runnable) -> {
			Thread thread = new Thread(runnable, "sqlqueue-notify");
			thread.setDaemon(true);
			return thread;
		});
		this.executor.allowCoreThreadTimeOut(true);
	}

	/** Wakes the workers of {@code queues} everywhere; call once their jobs are committed. */
	void send(Collection<String> queues) {
		synchronized (this.pending) {
			this.pending.addAll(queues);
			if (this.sending) {
				return;
			}
			this.sending = true;
		}
		try {
			this.executor.execute(this::drain);
		}
		catch (RejectedExecutionException closed) {
			// after close(): send on the caller's thread
			drain();
		}
	}

	/**
	 * Whether an enqueue may notify in its own insert statement: only when nothing else is being
	 * notified from here and the last notification is at least {@link #MIN_INTERVAL_NANOS} old, so
	 * that at most one such commit an interval takes PostgreSQL's notify lock. A {@code true}
	 * answer must be followed by {@link #inlineDone()}.
	 */
	boolean tryInline() {
		synchronized (this.pending) {
			if (this.sending || this.inlineInFlight || System.nanoTime() - this.lastSent < MIN_INTERVAL_NANOS) {
				return false;
			}
			this.inlineInFlight = true;
			return true;
		}
	}

	/** Ends what {@link #tryInline()} allowed, whether the insert succeeded or not. */
	void inlineDone() {
		synchronized (this.pending) {
			this.inlineInFlight = false;
			this.lastSent = System.nanoTime();
		}
	}

	/**
	 * Sends what is pending and stops the thread, waiting at most {@code timeout}. Later sends run
	 * on the caller's thread.
	 */
	void close(Duration timeout) {
		this.executor.shutdown();
		try {
			if (!this.executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
				logger.warn("sqlqueue stopped waiting for its last notifications after {}; workers will find those"
						+ " jobs at their next poll", timeout);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void drain() {
		long previous = 0;
		while (true) {
			if (previous != 0) {
				// a steady stream of enqueues: gather them for a moment instead of notifying back to back
				long wait = previous + MIN_INTERVAL_NANOS - System.nanoTime();
				if (wait > 0) {
					LockSupport.parkNanos(wait);
				}
			}
			List<String> queues;
			synchronized (this.pending) {
				if (this.pending.isEmpty()) {
					this.sending = false;
					return;
				}
				queues = new ArrayList<>(this.pending);
				this.pending.clear();
				previous = System.nanoTime();
				this.lastSent = previous;
			}
			try {
				this.dialect.jobNotify(queues, this.origin);
				this.failures = 0;
			}
			catch (RuntimeException ex) {
				// workers poll: a lost notification delays its jobs by at most the poll interval
				this.failures++;
				if (this.failures == 1 || this.failures % 100 == 0) {
					logger.warn("sqlqueue could not notify the workers of queues {} ({} failures in a row); they will find"
							+ " the jobs at their next poll: {}", queues, this.failures, ex.getMessage());
				}
			}
		}
	}

}
