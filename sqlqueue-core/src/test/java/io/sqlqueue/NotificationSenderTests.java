package io.sqlqueue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When an enqueue may notify in its own insert: only while the queue object is otherwise quiet, so
 * that under load notifications stay coalesced and notifying commits do not queue up behind
 * PostgreSQL's notify lock. (That the notifications wake workers in other processes is
 * {@code NotificationWakeUpTest}'s part, on PostgreSQL.)
 */
class NotificationSenderTests {

	private final NotificationSender sender = new NotificationSender(null, "origin");

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

}
