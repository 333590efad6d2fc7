// Why a node campaigns: a transfer skips pre-vote and overrides the leader lease of other voters.
export const CampaignType = { PreElection: "pre", Election: "election", Transfer: "transfer" } as const;
export type CampaignType = (typeof CampaignType)[keyof typeof CampaignType];
