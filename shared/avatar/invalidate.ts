/**
 * CloudFront keeps serving erased avatars from its edge caches until they expire (a year, by
 * our Cache-Control). Erasure therefore invalidates the user's whole prefix in one request.
 */
import { CreateInvalidationCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { avatarPrefixFor } from '../keys';

export interface InvalidationRequest {
  distributionId: string;
  publicId: string;
  /**
   * Same reference + same paths = the same invalidation (CloudFront deduplicates), so a
   * retried erase does not start a second one. Derive it from the triggering event.
   */
  callerReference: string;
}

/** `/avatars/<publicId>/*`: the one path pattern that covers every version and size. */
export const invalidationPathFor = (publicId: string): string => `/${avatarPrefixFor(publicId)}*`;

export async function invalidateAvatarPrefix(cloudfront: CloudFrontClient, request: InvalidationRequest): Promise<string | undefined> {
  const response = await cloudfront.send(
    new CreateInvalidationCommand({
      DistributionId: request.distributionId,
      InvalidationBatch: {
        CallerReference: request.callerReference,
        Paths: { Quantity: 1, Items: [invalidationPathFor(request.publicId)] },
      },
    }),
  );
  return response.Invalidation?.Id;
}
