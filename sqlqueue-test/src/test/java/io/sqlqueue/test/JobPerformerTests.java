package io.sqlqueue.test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.sqlqueue.JobContext;
import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.JobInterceptor;
import io.sqlqueue.NonRetryableJobException;
import io.sqlqueue.PayloadCodecException;
import io.sqlqueue.UnknownJobTypeException;
import io.sqlqueue.worker.HandlerSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** One handler run alone, without a database: what a worker would record for it. */
class JobPerformerTests {

	record Invoice(String number, int cents) {
	}

	record Receipt(String number, String status) {
	}

	final List<String> intercepted = new CopyOnWriteArrayList<>();

	JobPerformer performer = JobPerformer.builder()
		.handler(HandlerSpec.of("bill", Invoice.class, (invoice, ctx) -> {
			ctx.log("billing " + invoice.number());
			if (invoice.cents() < 0) {
				throw new NonRetryableJobException("negative amount");
			}
			if (invoice.cents() == 0) {
				throw new IllegalStateException("gateway down");
			}
			ctx.setResult(new Receipt(invoice.number(), "paid"));
			ctx.enqueueOnSuccess("mail-receipt", Map.of("number", invoice.number()));
		}).withMaxAttempts(3))
		.handler(HandlerSpec.of("later", String.class, (text, ctx) -> ctx.snooze(Duration.ofMinutes(5))))
		.interceptor(new JobInterceptor() {
			@Override
			public void aroundProcess(JobContext job, Object payload, ProcessChain chain) throws Exception {
				JobPerformerTests.this.intercepted.add(job.type() + " attempt " + job.attempt());
				chain.proceed();
			}
		})
		.build();

	@Test
	void aSuccessReturnsTheResultTheLogsAndTheFollowUpsThroughTheInterceptors() {
		PerformResult run = this.performer.perform("bill", new Invoice("F-1", 1200));

		assertThat(run.outcome()).isEqualTo(Outcome.SUCCEEDED);
		assertThat(run.error()).isNull();
		assertThat(run.result(Receipt.class)).isEqualTo(new Receipt("F-1", "paid"));
		assertThat(run.resultJson()).contains("\"status\":\"paid\"");
		assertThat(run.logs()).containsExactly("billing F-1");
		assertThat(run.enqueuedOnSuccess()).singleElement().satisfies((request) -> assertThat(request.type()).isEqualTo("mail-receipt"));
		assertThat(this.intercepted).containsExactly("bill attempt 1");
	}

	@Test
	void aFailureIsRetriedUntilTheLastAttemptAndThenDead() {
		PerformResult first = this.performer.perform("bill", new Invoice("F-2", 0));
		PerformResult last = this.performer.perform("bill", new Invoice("F-2", 0), 3, Map.of());

		assertThat(first.outcome()).isEqualTo(Outcome.RETRIED);
		assertThat(first.error()).hasMessage("gateway down");
		assertThat(first.enqueuedOnSuccess()).isEmpty();
		assertThat(last.outcome()).isEqualTo(Outcome.DEAD);
	}

	@Test
	void aFailureTheClassifierDoesNotRetryIsDeadAtOnce() {
		assertThat(this.performer.perform("bill", new Invoice("F-3", -5)).outcome()).isEqualTo(Outcome.DEAD);
	}

	@Test
	void aPayloadTheHandlersClassCannotBindIsDeadAsInAWorker() {
		PerformResult run = this.performer.perform("bill", Map.of("number", "F-4", "cents", "many"));

		assertThat(run.outcome()).isEqualTo(Outcome.DEAD);
		assertThat(run.error()).isInstanceOf(PayloadCodecException.class);
	}

	@Test
	void aSnoozeIsReportedWithItsDelay() {
		PerformResult run = this.performer.perform("later", "x");

		assertThat(run.outcome()).isEqualTo(Outcome.SNOOZED);
		assertThat(run.snoozedFor()).isEqualTo(Duration.ofMinutes(5));
	}

	@Test
	void anUnknownTypeNamesTheKnownOnes() {
		assertThatExceptionOfType(UnknownJobTypeException.class).isThrownBy(() -> this.performer.perform("nope", "x"))
			.withMessageContaining("nope")
			.withMessageContaining("[bill, later]");
	}

}
