package io.sqlqueue.codec;

import java.lang.reflect.Type;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

import io.sqlqueue.PayloadCodecException;

/**
 * The default {@link PayloadCodec}, on Jackson 3.
 *
 * <p>Decoding keeps a rolling deploy safe in both directions. A property the class does not have is ignored,
 * whatever the mapper says (Spring Boot's own default): a newer node that adds a property to a payload class
 * must not make the older nodes dead-letter those jobs. A property missing from the JSON binds as
 * {@code null}, so an older node's payloads run on a newer class. A value the class requires is still an
 * error that dead-letters the job with the reason: a primitive with no value, a creator property marked
 * {@code @JsonProperty(required = true)}, or a value the class's constructor rejects.
 */
public final class JacksonPayloadCodec implements PayloadCodec {

	private final JsonMapper mapper;

	/** A codec on a plain {@link JsonMapper}. */
	public JacksonPayloadCodec() {
		this(JsonMapper.builder().build());
	}

	/**
	 * A codec on {@code mapper}'s modules and settings, ignoring unknown properties and failing on a primitive
	 * without a value.
	 */
	public JacksonPayloadCodec(JsonMapper mapper) {
		Objects.requireNonNull(mapper, "mapper must not be null");
		this.mapper = mapper.rebuild()
			.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
			.build();
	}

	@Override
	public String encode(@Nullable Object payload) {
		try {
			return this.mapper.writeValueAsString(payload);
		}
		catch (JacksonException ex) {
			String type = (payload != null) ? payload.getClass().getName() : "null";
			throw new PayloadCodecException("Payload of class " + type + " cannot be written as JSON: "
					+ ex.getOriginalMessage(), ex);
		}
	}

	@Override
	public @Nullable Object decode(String json, Type type) {
		JavaType javaType = this.mapper.getTypeFactory().constructType(type);
		try {
			return this.mapper.readValue(json, javaType);
		}
		catch (JacksonException ex) {
			// the original message leaves out which field failed: name it, or a dead job's reason is a riddle
			String where = ex.getPath().isEmpty() ? "" : " (at " + ex.getPathReference() + ")";
			throw new PayloadCodecException("Payload does not match " + javaType.toCanonical() + ": "
					+ ex.getOriginalMessage() + where, ex);
		}
	}

}
