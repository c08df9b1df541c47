package io.sqlqueue.worker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.springframework.util.ExceptionTypeFilter;

import io.sqlqueue.NonRetryableJobException;
import io.sqlqueue.PayloadCodecException;
import io.sqlqueue.UnknownJobTypeException;

/**
 * Decides whether a handler's failure is worth another attempt or goes straight to the dead letter, by the
 * exception's type and the types of its causes (as Spring Kafka's {@code ExceptionClassifier} does): a
 * failure is not retryable when it, or any exception in its chain of causes, is of a not-retryable type.
 * By default those are {@link NonRetryableJobException}, {@link PayloadCodecException} (a payload that does
 * not fit the handler's type will not fit next time either) and {@link UnknownJobTypeException}.
 *
 * <pre>{@code
 * JobWorker.builder(jobQueue)
 *         .exceptionClassifier(ExceptionClassifier.defaults().withNotRetryable(IllegalArgumentException.class))
 * }</pre>
 *
 * @see JobWorker.Builder#exceptionClassifier(ExceptionClassifier)
 */
public final class ExceptionClassifier {

	private static final ExceptionClassifier DEFAULTS = new ExceptionClassifier(
			List.of(NonRetryableJobException.class, PayloadCodecException.class, UnknownJobTypeException.class));

	private final List<Class<? extends Throwable>> notRetryable;

	private final ExceptionTypeFilter filter;

	private ExceptionClassifier(List<Class<? extends Throwable>> notRetryable) {
		this.notRetryable = List.copyOf(notRetryable);
		this.filter = new ExceptionTypeFilter(this.notRetryable, null, false);
	}

	/** The default classification: only sqlqueue's own permanent failures are not retryable. */
	public static ExceptionClassifier defaults() {
		return DEFAULTS;
	}

	/**
	 * A copy under which failures of {@code types} (and their subclasses), also as a cause, go to the dead
	 * letter at once.
	 */
	@SafeVarargs
	public final ExceptionClassifier withNotRetryable(Class<? extends Throwable>... types) {
		return withNotRetryable(Arrays.asList(types));
	}

	/** Like {@link #withNotRetryable(Class[])}, for a list configured elsewhere. */
	public ExceptionClassifier withNotRetryable(List<Class<? extends Throwable>> types) {
		List<Class<? extends Throwable>> all = new ArrayList<>(this.notRetryable);
		for (Class<? extends Throwable> type : types) {
			Objects.requireNonNull(type, "a not-retryable exception type must not be null");
			if (!all.contains(type)) {
				all.add(type);
			}
		}
		return new ExceptionClassifier(all);
	}

	/** Whether {@code failure} is worth another attempt: neither it nor any of its causes is of a not-retryable type. */
	public boolean isRetryable(Throwable failure) {
		return !this.filter.match(failure, true);
	}

	/** The not-retryable types, in the order they were added. */
	public List<Class<? extends Throwable>> notRetryable() {
		return this.notRetryable;
	}

	@Override
	public String toString() {
		return "ExceptionClassifier[notRetryable=" + this.notRetryable.stream().map(Class::getName).toList() + "]";
	}

}
