package io.sqlqueue.internal.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/** A stop that waits for running handlers says what it waits for, and for how long at most. */
class ShutdownLogTests {

	@Test
	void aStopWaitingForRunningHandlersSaysSo() throws Exception {
		JdbcJobQueue jobs = JdbcJobQueue.builder(TestDatabases.fresh(TestDatabase.H2)).build();
		Logger logger = (Logger) LoggerFactory.getLogger(WorkerNode.class);
		ListAppender<ILoggingEvent> logged = new ListAppender<>();
		logged.start();
		logger.addAppender(logged);
		CountDownLatch started = new CountDownLatch(1);
		JobWorker worker = JobWorker.builder(jobs)
			.maintenance(false)
			.queue("mail", QueueSettings.defaults().withPollInterval(Duration.ofMillis(50)))
			.handler("send", Map.class, (payload, ctx) -> {
				started.countDown();
				// runs until the stop has said that it waits for it
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
				while (logged.list.stream().noneMatch((event) -> event.getFormattedMessage().contains("is stopping"))
						&& System.nanoTime() < deadline) {
					Thread.sleep(10);
				}
			})
			.build();
		try {
			worker.start();
			jobs.enqueue("send", Map.of(), EnqueueOptions.defaults().withQueue("mail"));
			assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

			assertThat(worker.stop(Duration.ofSeconds(20))).as("the handler finished within the timeout").isTrue();
		}
		finally {
			logger.detachAppender(logged);
		}
		assertThat(logged.list).filteredOn((event) -> event.getLevel() == Level.INFO)
			.anySatisfy((event) -> assertThat(event.getFormattedMessage())
				.contains("is stopping: waiting up to PT20S for 1 running handlers ({mail=1})"));
	}

}
