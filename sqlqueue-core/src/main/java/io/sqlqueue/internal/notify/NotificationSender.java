package io.sqlqueue.internal.notify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.internal.store.JobStore;

/**
 * Sends the PostgreSQL notifications that wake workers in other processes, after the enqueue has
 * committed and off the enqueuing thread, coalesced per queue: while one notification is on its
 * way, the queues of every enqueue that commits meanwhile are gathered and sent together in the
 * next, at most one every {@link #MIN_INTERVAL_NANOS 2 ms}, so a burst of a thousand enqueues
 * costs a handful of notifications, not a thousand. While enqueues keep coming the interval doubles
 * with each notification, up to {@link #MAX_INTERVAL_NANOS 10 ms}, and it is back to 2 ms after the
 * first quiet interval. The first enqueue after a quiet spell is notified at once.
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
public final class NotificationSender {

	private static final Logger logger = LoggerFactory.getLogger(NotificationSender.class);

	/**
	 * The least time from one notification to the next while enqueues keep coming: a job committed
	 * right after a notification waits at most this long for its own, and a stream of single
	 * enqueues costs the database at most one notifying transaction per interval.
	 */
	static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

	/**
	 * The longest interval, reached while enqueues keep coming: a steady stream of enqueues costs
	 * at most 100 notifying transactions a second, not 500. Each is a transaction of its own on the
	 * application's database, and at 2 ms a stream of 10,000 single enqueues a second lost 4% of
	 * its speed to them; jobs of such a stream wait at most 10 ms more for a worker in another
	 * process that is idle (a busy one claims again without waiting for a notification).
	 */
	static final long MAX_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private final JobStore store;

	private final String channel;

	private final ThreadPoolExecutor executor;

	/**
	 * Queues with an enqueue committed since the last notification was sent. Concurrent, so that
	 * under load an enqueue adds its queue (already there, mostly) and sees {@link #sending} without
	 * taking {@link #lock}, which eight enqueuing threads on two cores would otherwise contend for.
	 */
	private final Set<String> pending = ConcurrentHashMap.newKeySet();

	/** Guards the changes of {@link #sending}, {@link #inlineInFlight} and {@link #lastSent}. */
	private final Object lock = new Object();

	/** Whether a sender task is queued or running. */
	private volatile boolean sending;

	/** Whether an enqueue is notifying in its own insert. */
	private volatile boolean inlineInFlight;

	/** When the last notification went out ({@code System.nanoTime()}). */
	private volatile long lastSent = System.nanoTime() - MIN_INTERVAL_NANOS;

	private int failures;

	/**
	 * Names the sending queue object in its notifications: its own workers are woken directly at enqueue, so
	 * they ignore notifications from it instead of claiming a second time.
	 */
	private final String origin = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);

	/** A sender on the channel of {@code store}'s tables, which must be on a database that notifies. */
	public NotificationSender(JobStore store) {
		this.store = store;
		this.channel = Notification.channel(store.tablePrefix());
		this.executor = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), (runnable) -> {
			Thread thread = new Thread(runnable, "sqlqueue-notify");
			thread.setDaemon(true);
			return thread;
		});
		this.executor.allowCoreThreadTimeOut(true);
	}

	/** The channel it notifies on. */
	public String channel() {
		return this.channel;
	}

	/** The origin its notifications carry. */
	public String origin() {
		return this.origin;
	}

	/** The payload that wakes the workers of {@code queue} elsewhere. */
	public String payload(String queue) {
		return new Notification(queue, this.origin).payload();
	}

	/** Wakes the workers of {@code queues} everywhere; call once their jobs are committed. */
	public void send(Collection<String> queues) {
		this.pending.addAll(queues);
		// the sender, when it finds nothing pending, clears sending and then looks again (drain)
		if (this.sending || !startSending()) {
			return;
		}
		try {
			this.executor.execute(this::drain);
		}
		catch (RejectedExecutionException closed) {
			// after close(): send on the caller's thread
			drain();
		}
	}

	/** Whether this call set {@link #sending}, and so must see that what is pending is sent. */
	private boolean startSending() {
		synchronized (this.lock) {
			if (this.sending) {
				return false;
			}
			this.sending = true;
			return true;
		}
	}

	/**
	 * Whether an enqueue may notify in its own insert statement: only when nothing else is being
	 * notified from here and the last notification is at least {@link #MIN_INTERVAL_NANOS} old, so
	 * that at most one such commit an interval takes PostgreSQL's notify lock. A {@code true}
	 * answer must be followed by {@link #inlineDone()}.
	 */
	public boolean tryInline() {
		if (!mayNotifyInline()) {
			return false;
		}
		synchronized (this.lock) {
			if (!mayNotifyInline()) {
				return false;
			}
			this.inlineInFlight = true;
			return true;
		}
	}

	private boolean mayNotifyInline() {
		return !this.sending && !this.inlineInFlight && System.nanoTime() - this.lastSent >= MIN_INTERVAL_NANOS;
	}

	/** Ends what {@link #tryInline()} allowed, whether the insert succeeded or not. */
	public void inlineDone() {
		synchronized (this.lock) {
			this.inlineInFlight = false;
			this.lastSent = System.nanoTime();
		}
	}

	/**
	 * Sends what is pending and stops the thread, waiting at most {@code timeout}. Later sends run
	 * on the caller's thread.
	 */
	public void close(Duration timeout) {
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

	/** Removes and returns the pending queues. */
	private List<String> takePending() {
		List<String> queues = new ArrayList<>(this.pending.size());
		for (Iterator<String> it = this.pending.iterator(); it.hasNext();) {
			queues.add(it.next());
			it.remove();
		}
		return queues;
	}

	private void drain() {
		long previous = 0;
		long interval = MIN_INTERVAL_NANOS;
		while (true) {
			if (previous != 0) {
				// a steady stream of enqueues: gather them for a while instead of notifying back to back,
				// for longer the longer it lasts
				long wait;
				while ((wait = previous + interval - System.nanoTime()) > 0) {
					LockSupport.parkNanos(wait);
				}
			}
			List<String> queues = takePending();
			if (queues.isEmpty()) {
				synchronized (this.lock) {
					this.sending = false;
				}
				// an enqueue that added its queue and then still saw sending set relies on this look
				if (this.pending.isEmpty() || !startSending()) {
					return;
				}
				previous = 0;
				interval = MIN_INTERVAL_NANOS;
				continue;
			}
			if (previous != 0) {
				interval = Math.min(interval * 2, MAX_INTERVAL_NANOS);
			}
			previous = System.nanoTime();
			this.lastSent = previous;
			try {
				this.store.queueNotifyMany(this.channel, queues.stream().map(this::payload).toList());
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
