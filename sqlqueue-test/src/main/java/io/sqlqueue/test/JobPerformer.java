package io.sqlqueue.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JobContext;
import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.JobInterceptor;
import io.sqlqueue.JobInterceptor.ProcessChain;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.SnoozeJobException;
import io.sqlqueue.UnknownJobTypeException;
import io.sqlqueue.codec.JacksonPayloadCodec;
import io.sqlqueue.codec.PayloadCodec;
import io.sqlqueue.worker.ExceptionClassifier;
import io.sqlqueue.worker.HandlerSpec;

/**
 * Runs one handler on the calling thread without a job table: the payload is written and read back with the codec
 * (so a payload the handler's class cannot bind fails here as it would in a worker), the handler runs inside the
 * interceptors, and the result says what a worker would have recorded. For plain unit tests of handlers.
 *
 * <pre>{@code
 * JobPerformer performer = JobPerformer.builder()
 *         .handler(HandlerSpec.of("send-email", SendEmail.class, (email, ctx) -> mailer.send(email)))
 *         .build();
 * PerformResult run = performer.perform("send-email", new SendEmail("ada@example.com"));
 * }</pre>
 */
public final class JobPerformer {

	private final Map<String, HandlerSpec<?>> handlers;

	private final PayloadCodec codec;

	private final List<JobInterceptor> interceptors;

	private final ExceptionClassifier classifier;

	private JobPerformer(Builder builder) {
		this.handlers = Map.copyOf(builder.handlers);
		this.codec = (builder.codec != null) ? builder.codec : new JacksonPayloadCodec();
		this.interceptors = List.copyOf(builder.interceptors);
		this.classifier = builder.classifier;
	}

	/** A builder of a performer. */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Runs the handler of {@code type} once with {@code payload}, as the first of its attempts.
	 * @throws UnknownJobTypeException when no handler of {@code type} was given
	 */
	public PerformResult perform(String type, Object payload) {
		return perform(type, payload, 1, Map.of());
	}

	/**
	 * Runs the handler of {@code type} once with {@code payload} as attempt {@code attempt} of a job with
	 * {@code metadata}: the last attempt its handler allows ends a failure in DEAD rather than RETRIED.
	 * @throws UnknownJobTypeException when no handler of {@code type} was given
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public PerformResult perform(String type, Object payload, int attempt, Map<String, String> metadata) {
		HandlerSpec spec = this.handlers.get(type);
		if (spec == null) {
			throw new UnknownJobTypeException("No handler of job type '" + type + "' to perform; the handlers are for "
					+ new java.util.TreeSet<>(this.handlers.keySet()));
		}
		int maxAttempts = (spec.maxAttempts() != null) ? spec.maxAttempts() : JobQueue.DEFAULT_MAX_ATTEMPTS;
		PerformContext context = new PerformContext(type, spec.effectiveQueue(), attempt, maxAttempts, metadata,
				this.codec);
		Throwable error = null;
		try {
			Object bound = this.codec.decode(this.codec.encode(payload), spec.payloadType());
			ProcessChain chain = () -> spec.handler().handle(bound, context);
			for (int i = this.interceptors.size() - 1; i >= 0; i--) {
				JobInterceptor interceptor = this.interceptors.get(i);
				ProcessChain next = chain;
				chain = () -> interceptor.aroundProcess(context, bound, next);
			}
			chain.proceed();
		}
		catch (Throwable ex) {
			error = ex;
		}
		Outcome outcome = outcome(context, error, attempt, maxAttempts);
		Duration snoozed = (error instanceof SnoozeJobException snooze) ? snooze.delay() : context.snoozedFor;
		return new PerformResult(outcome, error, context.result, context.logs,
				(outcome == Outcome.SUCCEEDED) ? context.followUps : List.of(), snoozed, this.codec);
	}

	private Outcome outcome(PerformContext context, Throwable error, int attempt, int maxAttempts) {
		if (error instanceof SnoozeJobException || (error == null && context.snoozedFor != null)) {
			return Outcome.SNOOZED;
		}
		if (error == null) {
			return Outcome.SUCCEEDED;
		}
		if (!this.classifier.isRetryable(error) || (maxAttempts != -1 && attempt >= maxAttempts)) {
			return Outcome.DEAD;
		}
		return Outcome.RETRIED;
	}

	/** Configures a {@link JobPerformer}. */
	public static final class Builder {

		private final Map<String, HandlerSpec<?>> handlers = new LinkedHashMap<>();

		private @Nullable PayloadCodec codec;

		private final List<JobInterceptor> interceptors = new ArrayList<>();

		private ExceptionClassifier classifier = ExceptionClassifier.defaults();

		private Builder() {
		}

		/** Adds a handler. */
		public Builder handler(HandlerSpec<?> spec) {
			this.handlers.put(spec.type(), spec);
			return this;
		}

		/** Adds handlers. */
		public Builder handlers(Iterable<? extends HandlerSpec<?>> specs) {
			specs.forEach(this::handler);
			return this;
		}

		/** The codec payloads and results go through (default Jackson's with a plain mapper). */
		public Builder codec(PayloadCodec codec) {
			this.codec = Objects.requireNonNull(codec, "codec must not be null");
			return this;
		}

		/** Adds an interceptor, inside those added before it. */
		public Builder interceptor(JobInterceptor interceptor) {
			this.interceptors.add(Objects.requireNonNull(interceptor, "interceptor must not be null"));
			return this;
		}

		/** Which failures are not retried (default {@link ExceptionClassifier#defaults()}). */
		public Builder exceptionClassifier(ExceptionClassifier classifier) {
			this.classifier = Objects.requireNonNull(classifier, "classifier must not be null");
			return this;
		}

		/** The performer. */
		public JobPerformer build() {
			return new JobPerformer(this);
		}

	}

	/** The context of a run without a table: it keeps what the handler logs, sets and asks for. */
	private static final class PerformContext implements JobContext {

		private final String type;

		private final String queue;

		private final int attempt;

		private final int maxAttempts;

		private final Map<String, String> metadata;

		private final PayloadCodec codec;

		private final List<String> logs = new ArrayList<>();

		private final List<JobRequest> followUps = new ArrayList<>();

		private @Nullable String result;

		private @Nullable Duration snoozedFor;

		PerformContext(String type, String queue, int attempt, int maxAttempts, Map<String, String> metadata,
				PayloadCodec codec) {
			this.type = type;
			this.queue = queue;
			this.attempt = attempt;
			this.maxAttempts = maxAttempts;
			this.metadata = Map.copyOf(metadata);
			this.codec = codec;
		}

		@Override
		public long id() {
			return 0;
		}

		@Override
		public String type() {
			return this.type;
		}

		@Override
		public String queue() {
			return this.queue;
		}

		@Override
		public int attempt() {
			return this.attempt;
		}

		@Override
		public int maxAttempts() {
			return this.maxAttempts;
		}

		@Override
		public Map<String, String> metadata() {
			return this.metadata;
		}

		@Override
		public boolean extendLease(Duration duration) {
			return true;
		}

		@Override
		public boolean heartbeat() {
			return true;
		}

		@Override
		public boolean isCancellationRequested() {
			return false;
		}

		@Override
		public boolean isLeaseLost() {
			return false;
		}

		@Override
		public synchronized void log(String line) {
			this.logs.add(String.valueOf(line));
		}

		@Override
		public synchronized void setResult(@Nullable Object result) {
			this.result = (result != null) ? this.codec.encode(result) : null;
		}

		@Override
		public synchronized void enqueueOnSuccess(String type, Object payload, EnqueueOptions options) {
			this.codec.encode(payload);
			this.followUps.add(new JobRequest(type, payload, options));
		}

		@Override
		public synchronized void snooze(Duration delay) {
			if (delay == null || delay.isNegative()) {
				throw new IllegalArgumentException("the snooze delay must not be null or negative, was " + delay);
			}
			this.snoozedFor = delay;
		}

	}

}
