package io.sqlqueue.spring;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobState;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.RateLimit;
import io.sqlqueue.spring.actuate.SqlQueueEndpoint;
import io.sqlqueue.spring.actuate.SqlQueueEndpoint.QueueControlView;
import io.sqlqueue.spring.actuate.SqlQueueEndpointAutoConfiguration;
import io.sqlqueue.spring.actuate.SqlQueueEndpointWebExtension;
import io.sqlqueue.spring.actuate.SqlQueueEndpointWebExtension.Refusal;
import io.sqlqueue.spring.actuate.SqlQueueGauges;
import io.sqlqueue.spring.actuate.SqlQueueHealthAutoConfiguration;
import io.sqlqueue.spring.actuate.SqlQueueHealthIndicator;
import io.sqlqueue.spring.actuate.SqlQueueMetrics;
import io.sqlqueue.spring.actuate.SqlQueueMetricsAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter's side of flow control: limits from properties stored with the queue at startup, pause, resume and
 * limits from the Actuator endpoint, the paused gauge and health detail, the held-back counter and handler
 * timeouts from {@code @JobHandler}. The queue behaviour itself is the core suite's ({@code FlowControlTests}).
 */
class FlowControlStarterTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, SqlQueueAutoConfiguration.class,
				SqlQueueMetricsAutoConfiguration.class, SqlQueueHealthAutoConfiguration.class,
				SqlQueueEndpointAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
				"sqlqueue.defaults.poll-interval=50ms", "management.endpoints.web.exposure.include=sqlqueue");

	@Test
	void limitsFromPropertiesAreStoredWithTheQueueWhenTheWorkerStarts() {
		this.runner
			.withPropertyValues("sqlqueue.queues.erp.global-concurrency=3", "sqlqueue.queues.erp.key-concurrency=1",
					"sqlqueue.queues.payments.rate-limit=100/1m", "sqlqueue.queues.payments.rate-limit-per-key=true",
					"sqlqueue.queues.mail.concurrency=4")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
				assertThat(queue.queueControl("erp").limits()).isEqualTo(new QueueLimits(3, 1, null));
				assertThat(queue.queueControl("payments").limits())
					.isEqualTo(QueueLimits.none().withRateLimit(RateLimit.of(100, Duration.ofMinutes(1)).forEachKey()));
				// a queue configuring no limit keeps what was set at run time
				assertThat(queue.queueControl("mail").limits().any()).isFalse();
			});
	}

	@Test
	void badLimitsFailStartupNamingTheProperty() {
		this.runner
			.withPropertyValues("sqlqueue.queues.erp.global-concurrency=0", "sqlqueue.queues.payments.rate-limit=lots",
					"sqlqueue.queues.mail.rate-limit-per-key=true")
			.run((context) -> {
				assertThat(context).hasFailed();
				String message = rootMessages(context.getStartupFailure());
				assertThat(message).contains("Invalid sqlqueue.queues.erp.global-concurrency: must be at least 1, was 0")
					.contains("Invalid sqlqueue.queues.payments.rate-limit")
					.contains("'lots'")
					.contains("Invalid sqlqueue.queues.mail.rate-limit-per-key: needs sqlqueue.queues.mail.rate-limit");
			});
	}

	@Test
	void theEndpointPausesResumesAndLimitsAQueueAndHealthAndTheGaugeShowThePause() {
		this.runner.run((context) -> {
			JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
			SqlQueueEndpoint endpoint = context.getBean(SqlQueueEndpoint.class);
			QueueControlView paused = endpoint.control("mail", true, null, null, null, null, null);
			assertThat(paused.paused()).isTrue();
			assertThat(queue.queueControl("mail").paused()).isTrue();
			assertThat(endpoint.queues(null, null, null, null, null).controls()).containsKey("mail");

			Health health = context.getBean(SqlQueueHealthIndicator.class).health(true);
			assertThat(health.getDetails()).containsEntry("pausedQueues", List.of("mail"));
			SqlQueueGauges gauges = context.getBean(SqlQueueGauges.class);
			gauges.sample();
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get(SqlQueueGauges.QUEUE_PAUSED).tag("queue", "mail").gauge().value()).isEqualTo(1.0);

			QueueControlView limited = endpoint.control("mail", false, 2, null, "10/1s", null, null);
			assertThat(limited).isEqualTo(new QueueControlView("mail", false, 2, null, "10/PT1S", false));
			gauges.sample();
			assertThat(registry.get(SqlQueueGauges.QUEUE_PAUSED).tag("queue", "mail").gauge().value()).isZero();
			assertThat(context.getBean(SqlQueueHealthIndicator.class).health(true).getDetails())
				.doesNotContainKey("pausedQueues");

			assertThat(endpoint.control("mail", null, null, null, null, null, "none").globalConcurrency()).isNull();
			assertThat(queue.queueControl("mail").limits().any()).isFalse();
		});
	}

	@Test
	void overHttpABadRequestToSteerAQueueIsA400SayingWhy() {
		this.runner.run((context) -> {
			SqlQueueEndpointWebExtension web = context.getBean(SqlQueueEndpointWebExtension.class);
			assertRefused(web.control("mail", "maybe", null, null, null, null, null), "paused must be true or false");
			assertRefused(web.control("mail", null, "three", null, null, null, null),
					"globalConcurrency must be a whole number");
			assertRefused(web.control("mail", null, "0", null, null, null, null), "globalConcurrency must be at least 1");
			assertRefused(web.control("mail", null, null, null, "fast", null, null), "'fast'");
			assertRefused(web.control("mail", null, null, null, null, null, null), "Give 'paused'");
			assertRefused(web.control("no queue!", "true", null, null, null, null, null), "no queue!");
			assertThat(context.getBean(JdbcJobQueue.class).queueControls()).isEmpty();
			WebEndpointResponse<Object> ok = web.control("mail", "true", null, null, null, null, null);
			assertThat(ok.getStatus()).isEqualTo(200);
		});
	}

	@Test
	void aHandlerTimeoutInterruptsTheRunAndSaysSo() {
		this.runner.withUserConfiguration(SlowHandlers.class).run((context) -> {
			JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
			long id = queue.enqueue("slow", "x");
			await().atMost(Duration.ofSeconds(20)).until(() -> queue.find(id).orElseThrow().state() == JobState.DEAD);
			Job job = queue.find(id).orElseThrow();
			assertThat(job.lastError()).contains("ran past its timeout of PT0.2S");
			assertThat(context.getBean(SlowHandlers.class).interrupted.await(5, TimeUnit.SECONDS)).isTrue();
		});
	}

	@Test
	void jobsHeldBackByALimitAreCounted() {
		this.runner.withUserConfiguration(SlowHandlers.class)
			.withPropertyValues("sqlqueue.queues.erp.global-concurrency=1", "sqlqueue.queues.erp.concurrency=4")
			.run((context) -> {
				JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
				SlowHandlers handlers = context.getBean(SlowHandlers.class);
				for (int i = 0; i < 4; i++) {
					queue.enqueue("erp-call", "x");
				}
				assertThat(handlers.erpStarted.await(20, TimeUnit.SECONDS)).isTrue();
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				await().atMost(Duration.ofSeconds(20))
					.until(() -> registry.find(SqlQueueMetrics.HELD_BACK).tags("queue", "erp", "limit", "global")
						.counter() != null);
				assertThat(handlers.running.get()).isEqualTo(1);
				handlers.release.countDown();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> queue.countByQueueAndState().get("erp").getOrDefault(JobState.SUCCEEDED, 0L) == 4);
				assertThat(handlers.mostRunning.get()).isEqualTo(1);
			});
	}

	private static void assertRefused(WebEndpointResponse<Object> response, String says) {
		assertThat(response.getStatus()).isEqualTo(400);
		assertThat(((Refusal) response.getBody()).message()).contains(says);
	}

	private static String rootMessages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable ex = failure; ex != null; ex = ex.getCause()) {
			messages.append(ex.getMessage()).append('\n');
		}
		return messages.toString();
	}

	@Configuration(proxyBeanMethods = false)
	static class SlowHandlers {

		final CountDownLatch interrupted = new CountDownLatch(1);

		final CountDownLatch erpStarted = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		final AtomicInteger running = new AtomicInteger();

		final AtomicInteger mostRunning = new AtomicInteger();

		@JobHandler(value = "slow", timeout = "200ms", maxAttempts = "1")
		void slow(String payload) {
			try {
				Thread.sleep(Duration.ofMinutes(1).toMillis());
			}
			catch (InterruptedException ex) {
				this.interrupted.countDown();
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted", ex);
			}
		}

		@JobHandler(value = "erp-call", queue = "erp")
		void erp(String payload) throws InterruptedException {
			int now = this.running.incrementAndGet();
			this.mostRunning.accumulateAndGet(now, Math::max);
			this.erpStarted.countDown();
			try {
				this.release.await(30, TimeUnit.SECONDS);
			}
			finally {
				this.running.decrementAndGet();
			}
		}

	}

}
