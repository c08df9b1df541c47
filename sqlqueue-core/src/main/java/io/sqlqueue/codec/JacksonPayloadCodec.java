package io.sqlqueue.codec;

import java.lang.reflect.Type;
import java.util.Objects;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

import io.sqlqueue.PayloadCodecException;

/**
 * The default {@link PayloadCodec}, on Jackson 3.
 *
 * <p>Decoding is strict: an unknown property or a {@code null} for a primitive fails instead of
 * silently dropping data, so a payload written for a renamed field goes to the dead letter with the
 * reason rather than running with a missing value.
 */
public final class JacksonPayloadCodec implements PayloadCodec {

	private final JsonMapper mapper;

	/** A codec on a plain {@link JsonMapper}. */
	public JacksonPayloadCodec() {
		this(JsonMapper.builder().build());
	}

	/** A codec on {@code mapper}'s modules and settings, made strict for decoding. */
	public JacksonPayloadCodec(JsonMapper mapper) {
		Objects.requireNonNull(mapper, "mapper must not be null");
		this.mapper = mapper.rebuild()
			.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
			.build();
	}

	@Override
	public String encode(Object payload) {
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
	public Object decode(String json, Type type) {
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
