// The kinds of value that flow along connections. Two sockets connect only when their types
// are the same: an edit graph wired wrongly is refused at once, not when it runs.
export const SOCKET_TYPES = {
  Image: { color: '#4caf50', help: 'An RGB image with values in [0, 1]' },
  Latent: { color: '#ab47bc', help: 'A generator latent (W+) and the model bundle it belongs to' },
  Embedding: { color: '#ff9800', help: 'A CLIP embedding (a unit vector in the joint space)' },
  Subspace: { color: '#e91e63', help: 'An orthonormal basis of a corpus subspace, one named direction per row' },
  Coefficients: { color: '#795548', help: 'Coordinates of an embedding along named subspace directions' },
  Target: { color: '#f44336', help: 'An optimization target embedding with how it was built' },
  Text: { color: '#2196f3', help: 'A prompt' },
  Prompts: { color: '#03a9f4', help: 'A list of prompts (a corpus)' },
  Number: { color: '#9e9e9e', help: 'A number' },
  Models: { color: '#607d8b', help: 'A loaded model bundle: generator, CLIP and encoder' },
  Face: { color: '#ffc107', help: "A face found in a photo: its box, score and 68 landmarks in the photo's pixels" },
  FaceTransform: {
    color: '#009688',
    help: 'Where an aligned face sits in its photo: the FFHQ crop square and the map from aligned pixels back to the photo',
  },
} as const;

export type SocketType = keyof typeof SOCKET_TYPES;

export function isSocketType(name: string): name is SocketType {
  return Object.hasOwn(SOCKET_TYPES, name);
}

export function socketsCompatible(output: SocketType, input: SocketType): boolean {
  return output === input;
}
