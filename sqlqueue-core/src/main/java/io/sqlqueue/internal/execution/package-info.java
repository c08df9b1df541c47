/**
 * Not API. Running jobs on a node: per queue a producer that claims into free handler slots and an
 * executor that runs handlers and classifies what they did, and one completer that writes every
 * outcome.
 */
package io.sqlqueue.internal.execution;
