/**
 * sqlqueue's internals: not API. Nothing here is meant to be used by applications, and any of it may
 * change in any release. The API is {@code io.sqlqueue}, {@code io.sqlqueue.codec} and
 * {@code io.sqlqueue.worker}; the starter uses nothing below this package (an architecture test keeps it
 * so).
 */
package io.sqlqueue.internal;
