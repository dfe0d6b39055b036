/** audit-service: append-only evidence log, Merkle tree, checkpoints, auditor API. */
package io.samtykke.audit;
