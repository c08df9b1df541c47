package io.sqlqueue.spring.actuate;

import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

import io.sqlqueue.spring.actuate.SqlQueueEndpoint.JobDetails;
import io.sqlqueue.spring.actuate.SqlQueueEndpoint.ReplayRefusedException;

/**
 * The {@link SqlQueueEndpoint} over HTTP: what the caller got wrong is a 400, a job that does not
 * exist a 404 and a replay that cannot happen a 409, each with a JSON body whose {@code message}
 * says why, instead of a 500 and a stack trace in the server's log. Arguments arrive as text and
 * are read here, so that {@code ?limit=many} is answered the same way.
 */
@EndpointWebExtension(endpoint = SqlQueueEndpoint.class)
public class SqlQueueEndpointWebExtension {

	private final SqlQueueEndpoint endpoint;

	/** The web face of {@code endpoint}. */
	public SqlQueueEndpointWebExtension(SqlQueueEndpoint endpoint) {
		this.endpoint = endpoint;
	}

	/** {@link SqlQueueEndpoint#queues}, or 400 saying which argument is wrong. */
	@ReadOperation
	public WebEndpointResponse<Object> queues(@Nullable String queue, @Nullable String limit, @Nullable String afterId,
			@Nullable String page, @Nullable String size) {
		return respond(() -> this.endpoint.queues(queue, number("limit", limit, Integer::valueOf),
				number("afterId", afterId, Long::valueOf), number("page", page, Integer::valueOf),
				number("size", size, Integer::valueOf)));
	}

	/** {@link SqlQueueEndpoint#job}, or 404 when there is no such job. */
	@ReadOperation
	public WebEndpointResponse<Object> job(@Selector String id) {
		return respond(() -> {
			long jobId = number("id", id, Long::valueOf);
			JobDetails job = this.endpoint.job(jobId);
			if (job == null) {
				throw new ReplayRefusedException(ReplayRefusedException.Reason.NO_SUCH_JOB, "no job " + jobId);
			}
			return job;
		});
	}

	/** {@link SqlQueueEndpoint#group}, or 404 when there is no such batch or workflow. */
	@ReadOperation
	public WebEndpointResponse<Object> group(@Selector String section, @Selector String id) {
		return respond(() -> {
			long groupId = number("id", id, Long::valueOf);
			GroupDetails group = this.endpoint.group(section, groupId);
			if (group == null) {
				throw new NoSuchGroupException(groupId);
			}
			return group;
		});
	}

	/** {@link SqlQueueEndpoint#cancelGroup}, or 404 when there is no such batch or workflow. */
	@DeleteOperation
	public WebEndpointResponse<Object> cancelGroup(@Selector String section, @Selector String id) {
		return respond(() -> {
			long groupId = number("id", id, Long::valueOf);
			GroupDetails.requireGroups(section);
			try {
				return this.endpoint.cancelGroup(section, groupId);
			}
			catch (IllegalArgumentException ex) {
				throw new NoSuchGroupException(groupId);
			}
		});
	}

	/** {@link SqlQueueEndpoint#replay}, or 400, 404 or 409 saying why not. */
	@WriteOperation
	public WebEndpointResponse<Object> replay(@Nullable String id, @Nullable String queue) {
		return respond(() -> this.endpoint.replay(number("id", id, Long::valueOf), queue));
	}

	/** {@link SqlQueueEndpoint#control}, or 400 saying which argument is wrong. */
	@WriteOperation
	public WebEndpointResponse<Object> control(@Selector String queue, @Nullable String paused,
			@Nullable String globalConcurrency, @Nullable String keyConcurrency, @Nullable String rateLimit,
			@Nullable String rateLimitPerKey, @Nullable String limits) {
		return respond(() -> this.endpoint.control(queue, bool("paused", paused),
				number("globalConcurrency", globalConcurrency, Integer::valueOf),
				number("keyConcurrency", keyConcurrency, Integer::valueOf), rateLimit,
				bool("rateLimitPerKey", rateLimitPerKey), limits));
	}

	private static @Nullable Boolean bool(String argument, @Nullable String value) {
		if (value == null) {
			return null;
		}
		return switch (value.trim()) {
			case "true" -> Boolean.TRUE;
			case "false" -> Boolean.FALSE;
			default -> {
				String message = argument + " must be true or false, was '" + value + "'";
				throw new InvalidEndpointRequestException(message, message);
			}
		};
	}

	private static WebEndpointResponse<Object> respond(Supplier<Object> operation) {
		try {
			return new WebEndpointResponse<>(operation.get());
		}
		catch (InvalidEndpointRequestException ex) {
			return refusal(WebEndpointResponse.STATUS_BAD_REQUEST, ex.getReason());
		}
		catch (NoSuchGroupException ex) {
			return refusal(WebEndpointResponse.STATUS_NOT_FOUND, ex.getMessage());
		}
		catch (ReplayRefusedException ex) {
			int status = (ex.reason() == ReplayRefusedException.Reason.NO_SUCH_JOB) ? WebEndpointResponse.STATUS_NOT_FOUND
					: 409;
			return refusal(status, ex.getMessage());
		}
	}

	private static WebEndpointResponse<Object> refusal(int status, String message) {
		return new WebEndpointResponse<>(new Refusal(status, message), status);
	}

	private static <N extends Number> @Nullable N number(String argument, @Nullable String value,
			Function<String, N> parser) {
		if (value == null) {
			return null;
		}
		try {
			return parser.apply(value.trim());
		}
		catch (NumberFormatException ex) {
			String message = argument + " must be a whole number, was '" + value + "'";
			throw new InvalidEndpointRequestException(message, message);
		}
	}

	private static final class NoSuchGroupException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		NoSuchGroupException(long id) {
			super("no batch or workflow " + id);
		}

	}

	/**
	 * The body of a refused request.
	 *
	 * @param status the HTTP status
	 * @param message what was wrong
	 */
	public record Refusal(int status, String message) {
	}

}
