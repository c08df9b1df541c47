package io.sqlqueue.test;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.JobRequest;
import io.sqlqueue.codec.PayloadCodec;

/**
 * What one handler run by {@link SqlQueueTester#perform(String, Object)} or {@link JobPerformer} ended in.
 *
 * <pre>{@code
 * PerformResult run = queue.perform("send-email", new SendEmail("ada@example.com"));
 * assertThat(run.outcome()).isEqualTo(Outcome.SUCCEEDED);
 * assertThat(run.result(Receipt.class).messageId()).isNotBlank();
 * }</pre>
 */
public final class PerformResult {

	private final Outcome outcome;

	private final @Nullable Throwable error;

	private final @Nullable String result;

	private final List<String> logs;

	private final List<JobRequest> enqueuedOnSuccess;

	private final @Nullable Duration snoozedFor;

	private final PayloadCodec codec;

	PerformResult(Outcome outcome, @Nullable Throwable error, @Nullable String result, List<String> logs,
			List<JobRequest> enqueuedOnSuccess, @Nullable Duration snoozedFor, PayloadCodec codec) {
		this.outcome = outcome;
		this.error = error;
		this.result = result;
		this.logs = List.copyOf(logs);
		this.enqueuedOnSuccess = List.copyOf(enqueuedOnSuccess);
		this.snoozedFor = snoozedFor;
		this.codec = codec;
	}

	/**
	 * What a worker would record: SUCCEEDED, SNOOZED, RETRIED for a failure worth another attempt, DEAD for one the
	 * exception classifier sends to the dead letter or on the last attempt.
	 */
	public Outcome outcome() {
		return this.outcome;
	}

	/** The handler's failure, or {@code null} when it returned. */
	public @Nullable Throwable error() {
		return this.error;
	}

	/** The result the handler set, as JSON, or {@code null}. */
	public @Nullable String resultJson() {
		return this.result;
	}

	/** The result the handler set, read as {@code type} with the codec, or {@code null} when it set none. */
	public <T> @Nullable T result(Class<T> type) {
		return (this.result != null) ? type.cast(this.codec.decode(this.result, type)) : null;
	}

	/** The lines the handler logged, oldest first. */
	public List<String> logs() {
		return this.logs;
	}

	/** The jobs the handler asked to enqueue on success; none unless it succeeded. */
	public List<JobRequest> enqueuedOnSuccess() {
		return this.enqueuedOnSuccess;
	}

	/** The delay the handler snoozed for, or {@code null}. */
	public @Nullable Duration snoozedFor() {
		return this.snoozedFor;
	}

	@Override
	public String toString() {
		return "PerformResult[" + this.outcome + ((this.error != null) ? ", " + this.error : "") + ", result=" + this.result
				+ ", logs=" + this.logs + "]";
	}

}
