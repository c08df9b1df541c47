package io.sqlqueue.internal.notify;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;

import io.sqlqueue.internal.store.JobStore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When an enqueue may notify in its own insert: only while the queue object is otherwise quiet, so
 * that under load notifications stay coalesced and notifying commits do not queue up behind
 * PostgreSQL's notify lock; and how the sender coalesces what it sends without losing a queue.
 * (That the notifications wake workers in other processes is {@code NotificationWakeUpTests}'s part,
 * on PostgreSQL.)
 */
class NotificationSenderTests {

	/** Nanoseconds a notification may be recorded late after the sender took its time. */
	private static final long TOLERANCE = TimeUnit.MICROSECONDS.toNanos(500);

	private final NotificationSender sender = new NotificationSender(new RecordingStore().store());

	@Test
	void aQuietQueueObjectNotifiesInline() {
		assertThat(this.sender.tryInline()).isTrue();
	}

	@Test
	void onlyOneEnqueueAtATimeNotifiesInline() {
		assertThat(this.sender.tryInline()).isTrue();

		assertThat(this.sender.tryInline()).as("while the first insert runs").isFalse();
	}

	@Test
	void theNextInlineNotificationWaitsForTheMinimumInterval() throws InterruptedException {
		assertThat(this.sender.tryInline()).isTrue();
		this.sender.inlineDone();

		assertThat(this.sender.tryInline()).as("right after the first").isFalse();
		TimeUnit.NANOSECONDS.sleep(NotificationSender.MIN_INTERVAL_NANOS + TimeUnit.MILLISECONDS.toNanos(5));
		assertThat(this.sender.tryInline()).as("an interval later").isTrue();
	}

	@Test
	void aSteadyStreamIsNotifiedCoalescedAtGrowingIntervalsAndLosesNoQueue() throws InterruptedException {
		RecordingStore dialect = new RecordingStore();
		NotificationSender streamed = new NotificationSender(dialect.store());
		int threads = 4;
		int perThread = 400;
		CountDownLatch done = new CountDownLatch(threads);
		long start = System.nanoTime();
		for (int t = 0; t < threads; t++) {
			int thread = t;
			new Thread(() -> {
				for (int i = 0; i < perThread; i++) {
					streamed.send(List.of("queue-" + thread + "-" + i));
					LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(250));
				}
				done.countDown();
			}).start();
		}
		assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
		long streamNanos = System.nanoTime() - start;

		Set<String> expected = new HashSet<>();
		for (int t = 0; t < threads; t++) {
			for (int i = 0; i < perThread; i++) {
				expected.add("queue-" + t + "-" + i);
			}
		}
		assertThat(dialect.awaitQueues(expected)).as("every queue sent is notified").isTrue();
		List<Long> gaps = dialect.gaps();
		assertThat(gaps).as("never two notifications within the minimum interval")
			.allSatisfy((gap) -> assertThat(gap).isGreaterThan(NotificationSender.MIN_INTERVAL_NANOS - TOLERANCE));
		assertThat(gaps.get(gaps.size() / 2)).as("the median interval, once the stream goes on")
			.isGreaterThan(NotificationSender.MAX_INTERVAL_NANOS - TOLERANCE);
		assertThat(dialect.notifications()).as("notifications for %d enqueues in %d ms", threads * perThread,
				TimeUnit.NANOSECONDS.toMillis(streamNanos))
			.isLessThan((int) (streamNanos / NotificationSender.MIN_INTERVAL_NANOS / 2));
	}

	@Test
	void anEnqueueRacingTheSenderGoingIdleIsNotLost() throws InterruptedException {
		RecordingStore dialect = new RecordingStore();
		NotificationSender sporadic = new NotificationSender(dialect.store());
		for (int i = 0; i < 300; i++) {
			// pauses around the minimum interval, so that many a send lands while the sender decides to stop
			LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(NotificationSender.MIN_INTERVAL_NANOS * 2));
			String queue = "queue-" + i;
			sporadic.send(List.of(queue));
			assertThat(dialect.awaitQueues(Set.of(queue))).as("%s is notified", queue).isTrue();
		}
	}

	/** A store that records what would have been notified, and when; connects to nothing. */
	private static final class RecordingStore {

		private final List<Long> times = new ArrayList<>();

		private final Set<String> notified = new HashSet<>();

		JobStore store() {
			return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] { JobStore.class },
					(proxy, method, args) -> switch (method.getName()) {
						case "tablePrefix" -> "sqlqueue_";
						case "queueNotifyMany" -> {
							notified((Collection<?>) args[1]);
							yield null;
						}
						default -> throw new UnsupportedOperationException(method.getName());
					});
		}

		private synchronized void notified(Collection<?> payloads) {
			this.times.add(System.nanoTime());
			payloads.forEach((payload) -> this.notified.add(Notification.parse((String) payload).queue()));
			notifyAll();
		}

		synchronized boolean awaitQueues(Set<String> queues) throws InterruptedException {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
			while (!this.notified.containsAll(queues)) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return false;
				}
				TimeUnit.NANOSECONDS.timedWait(this, left);
			}
			return true;
		}

		synchronized int notifications() {
			return this.times.size();
		}

		/** The intervals between consecutive notifications, sorted. */
		synchronized List<Long> gaps() {
			List<Long> gaps = new ArrayList<>();
			for (int i = 1; i < this.times.size(); i++) {
				gaps.add(this.times.get(i) - this.times.get(i - 1));
			}
			gaps.sort(null);
			return gaps;
		}

	}

}
