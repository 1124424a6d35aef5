// The face itself: which shapes, where, in what colour, driven by the face parameters. Painted back
// to front: backdrop, hair behind the head, neck and shirt, ears, head, hair on top, beard, nose,
// cheeks, eyes, brows, mouth, glasses. Coordinates: x −1…1 left to right, y −1…1 top to bottom.
import type { Canvas, RGB, Value } from './canvas.js';
import { ringlets, strands, stubble } from './textures.js';

/** A face parameter as a [N,1,1,1] value. */
export type ParamReader = (name: string) => string;

export interface DrawnFace {
  /** [N,3,S,S] in [0, 1] (before the final rescale). */
  image: string;
  /** Coverage of each part before occlusion, [N,1,S,S] (for tests and debugging). */
  masks: Record<string, Value>;
}

const HEAD_Y = -0.07;

const SKIN: [RGB, RGB, RGB] = [
  [0.99, 0.85, 0.73],
  [0.8, 0.57, 0.4],
  [0.4, 0.25, 0.16],
];
const HAIR_NATURAL: [RGB, RGB, RGB] = [
  [0.07, 0.06, 0.06],
  [0.42, 0.26, 0.14],
  [0.96, 0.84, 0.52],
];
const HAIR_RED: [RGB, RGB, RGB] = [
  [0.27, 0.08, 0.04],
  [0.8, 0.28, 0.1],
  [0.98, 0.64, 0.4],
];
const HAIR_GREY: [RGB, RGB, RGB] = [
  [0.28, 0.28, 0.29],
  [0.6, 0.6, 0.62],
  [0.93, 0.93, 0.93],
];

export function drawFace(c: Canvas, p: ParamReader): DrawnFace {
  const masks: Record<string, Value> = {};
  const { x, y } = c;
  const ax = c.abs(x);

  // --- parameters -------------------------------------------------------------------------------
  const faceW = c.mad(0.4, 0.14, p('face_width'));
  const faceH = c.mad(0.55, 0.06, p('face_length'));
  const hairLen = p('hair_length');
  const curl = p('hair_curl');
  const smile = c.relu(p('mouth_curve'));

  /** A quadratic Bézier through three colours, t in [0,1]. */
  const ladder = (cs: [RGB, RGB, RGB], t: Value): string => {
    const s = c.sub(1, t);
    return c.colour([0, 0, 0], [cs[0], c.sq(s)], [cs[1], c.mul(c.mul(s, t), 2)], [cs[2], c.sq(t)]);
  };
  const skin = ladder(SKIN, p('skin_tone'));
  const lightness = p('hair_lightness');
  const hair = c.v(
    c.lerp(
      c.lerp(ladder(HAIR_NATURAL, lightness), ladder(HAIR_RED, lightness), p('hair_redness')),
      ladder(HAIR_GREY, lightness),
      p('hair_greyness'),
    ),
  );

  // --- backdrop ---------------------------------------------------------------------------------
  const backdrop = c.colour(
    [0.13, 0.13, 0.14],
    [[0.92, 0.13, 0.14], p('background_red')],
    [[0.13, 0.92, 0.14], p('background_green')],
    [[0.13, 0.13, 0.93], p('background_blue')],
  );
  c.fill(
    c.mul(
      backdrop,
      c.column((v) => 1.02 - 0.09 * (v + 1)),
    ),
  );

  // --- hair: shared shape terms -----------------------------------------------------------------
  // Hair exists above a little length; below it the head is bald (the hairline also recedes).
  const hairPresence = c.sigmoid(c.mul(c.sub(hairLen, 0.1), 50));
  const volume = c.add(c.mad(0.03, 0.05, hairLen), c.mul(curl, 0.05));
  const wave = c.mul(
    c.grid((u, v) => Math.sin(19 * u + 2) * Math.sin(17 * v + 1), 'curl_wave'),
    c.mul(curl, 0.028),
  );
  const hairTexture = c.lerp(c.grid(strands, 'strands'), c.grid(ringlets, 'ringlets'), curl);
  const hairShade = c.sub(1, c.mul(hairTexture, 0.3));

  // --- hair behind the head: ellipse around the head plus a curtain down to hairEnd --------------
  const backRx = c.add(faceW, c.add(volume, 0.03));
  const backRy = c.add(faceH, volume);
  const hairEnd = c.add(HEAD_Y + 0.02, c.mul(c.relu(c.sub(hairLen, 0.38)), 1.7));
  const backEllipse = c.and(
    c.inside(c.add(c.ellipse(x, c.sub(y, c.sub(HEAD_Y, c.mul(volume, 0.4))), backRx, backRy), wave)),
    c.inside(c.sub(c.sub(y, hairEnd), 0.09), 2),
  );
  const curtainW = c.add(backRx, c.mul(curl, 0.04));
  const curtain = c.and(
    c.inside(c.add(c.sub(ax, curtainW), wave)),
    c.inside(c.add(c.sub(c.add(y, c.mul(c.sq(c.div(x, curtainW)), 0.12)), hairEnd), wave)),
    c.inside(c.sub(HEAD_Y, y)),
  );
  const backHair = c.mul(c.or(backEllipse, curtain), hairPresence);
  c.paint(backHair, c.mul(c.mul(hair, 0.78), hairShade));

  // --- neck and shirt ---------------------------------------------------------------------------
  const neck = c.and(c.inside(c.sub(ax, 0.15)), c.inside(c.sub(HEAD_Y + 0.3, y)));
  c.paint(neck, c.mul(skin, 0.8));
  const shirtColour = c.colour(
    [0.15, 0.15, 0.17],
    [[0.85, 0.15, 0.17], p('shirt_red')],
    [[0.15, 0.85, 0.17], p('shirt_green')],
    [[0.15, 0.15, 0.87], p('shirt_blue')],
  );
  const shirt = c.inside(c.ellipse(x, c.sub(y, 1.22), 0.86, 0.5));
  c.paint(shirt, shirtColour);
  const collar = c.and(c.inside(c.ellipse(x, c.sub(y, 0.75), 0.17, 0.1)), shirt);
  c.paint(collar, c.mul(skin, 0.8));

  // --- ears and head ----------------------------------------------------------------------------
  const earD = c.ellipse(c.sub(ax, c.sub(faceW, 0.015)), c.sub(y, HEAD_Y + 0.03), 0.065, 0.105);
  c.paint(c.inside(c.sub(earD, 0.01)), c.mul(skin, 0.55));
  c.paint(c.inside(earD), c.mul(skin, 0.9));
  // The jaw narrows towards the chin.
  const jawX = c.grid((u, v) => u * (1 + 1.3 * Math.max(0, v - 0.05) ** 2), 'jaw_x');
  const headDx = c.mul(jawX, 1);
  const headDy = c.sub(y, HEAD_Y);
  const headD = c.ellipse(headDx, headDy, faceW, faceH);
  const face = c.inside(headD);
  masks.face = face;
  c.paint(c.inside(c.sub(headD, 0.012)), c.mul(skin, 0.55));
  const faceShading = c.sub(1.0, c.mul(c.add(c.sq(c.div(headDx, faceW)), c.sq(c.div(headDy, faceH))), 0.13));
  c.paint(face, c.mul(skin, faceShading));

  // --- hair on top: inside a grown head outline, above the hairline -------------------------------
  const recede = c.mul(c.relu(c.sub(0.3, hairLen)), 1.8);
  const hairline = c.add(
    c.add(HEAD_Y, c.mul(faceH, c.sub(-0.5, recede))),
    c.add(
      c.mul(c.sq(c.div(x, faceW)), c.mul(faceH, 0.55)),
      c.mul(
        c.row((u) => Math.sin(23 * u)),
        c.mul(curl, 0.02),
      ),
    ),
  );
  const capEllipse = c.inside(
    c.add(c.ellipse(x, c.sub(y, c.sub(HEAD_Y, c.mul(volume, 0.4))), c.add(faceW, volume), c.add(faceH, volume)), wave),
  );
  const cap = c.and(capEllipse, c.inside(c.sub(y, hairline)), hairPresence);
  masks.hair = c.or(backHair, cap);
  c.paint(cap, c.mul(hair, hairShade));

  // --- beard --------------------------------------------------------------------------------------
  const mouthY = c.mad(HEAD_Y + 0.33, 0.03, p('face_length'));
  const beardPresence = c.sigmoid(c.mul(c.sub(p('beard'), 0.5), 12));
  const beardTop = c.sub(c.sub(mouthY, 0.075), c.mul(c.sq(c.div(x, faceW)), 0.2));
  const beard = c.and(
    c.inside(c.add(c.ellipse(headDx, c.sub(headDy, 0.02), c.add(faceW, 0.015), c.add(faceH, 0.03)), c.mul(wave, 0.5))),
    c.inside(c.sub(beardTop, y), 2),
    beardPresence,
  );
  masks.beard = beard;
  c.paint(beard, c.mul(c.mul(hair, 0.85), c.sub(1, c.mul(c.grid(stubble, 'stubble'), 0.35))));

  // --- nose ---------------------------------------------------------------------------------------
  const noseY = c.mad(HEAD_Y + 0.19, 0.03, p('nose_size'));
  const noseW = c.mad(0.045, 0.025, p('nose_size'));
  const noseD = c.ellipse(x, c.sub(y, c.sub(noseY, 0.03)), noseW, 0.045);
  c.shade(c.mul(c.and(c.inside(c.band(noseD, 0.009)), c.inside(c.sub(c.sub(noseY, 0.025), y), 2)), 0.6), 0.72);
  c.shade(c.mul(c.inside(c.ellipse(c.sub(ax, c.mul(noseW, 0.55)), c.sub(y, noseY), 0.014, 0.009)), 0.6), 0.45);
  const sneer = p('sneer');
  const wrinkles = c.and(
    c.inside(c.band(c.sub(c.abs(c.sub(y, c.sub(noseY, 0.11))), 0.022), 0.005)),
    c.inside(c.sub(ax, 0.045)),
    c.mul(sneer, 0.8),
  );
  c.shade(wrinkles, 0.7);

  // --- cheeks lift and flush with a smile ---------------------------------------------------------
  const cheeks = c.inside(c.ellipse(c.sub(ax, c.mul(faceW, 0.58)), c.sub(y, HEAD_Y + 0.13), 0.085, 0.06), 6);
  c.paint(c.mul(cheeks, c.mul(smile, 0.4)), c.rgb([0.93, 0.42, 0.42]));

  // --- eyes ---------------------------------------------------------------------------------------
  const eyeX = c.mul(faceW, 0.43);
  const eyeY = HEAD_Y - 0.04;
  const eyeW = c.mad(0.055, 0.04, p('eye_size'));
  const eyeOpen = p('eye_open');
  const eyeH = c.mul(eyeW, c.mad(0.1, 0.82, eyeOpen));
  const eyeDx = c.sub(ax, eyeX);
  const eyeDy = c.sub(y, eyeY);
  const scleraD = c.ellipse(eyeDx, eyeDy, eyeW, eyeH);
  // Smiling cheeks push the lower lid up.
  const lowerLid = c.mul(eyeH, c.sub(1, c.mul(smile, 0.5)));
  const sclera = c.and(c.inside(scleraD), c.inside(c.sub(eyeDy, lowerLid)));
  masks.eyes = sclera;
  c.shade(c.inside(c.ellipse(eyeDx, c.add(eyeDy, 0.01), c.add(eyeW, 0.025), c.add(eyeH, 0.025)), 3), 0.93);
  c.paint(sclera, c.rgb([0.97, 0.97, 0.95]));
  const irisR = c.mul(eyeW, 0.55);
  const irisD = c.ellipse(eyeDx, eyeDy, irisR, irisR);
  const irisColour = c.colour([0.36, 0.21, 0.1], [[0.25, 0.5, 0.72], p('iris_tone')]);
  c.paint(c.and(c.inside(irisD), sclera), irisColour);
  c.paint(
    c.and(c.inside(c.ellipse(eyeDx, eyeDy, c.mul(irisR, 0.5), c.mul(irisR, 0.5))), sclera),
    c.rgb([0.04, 0.03, 0.03]),
  );
  c.paint(
    c.and(
      c.inside(
        c.ellipse(
          c.add(eyeDx, c.mul(irisR, 0.3)),
          c.add(eyeDy, c.mul(irisR, 0.35)),
          c.mul(irisR, 0.22),
          c.mul(irisR, 0.22),
        ),
      ),
      sclera,
    ),
    c.rgb([1, 1, 1]),
  );
  // Upper lid and lashes: a dark line along the top of the eye (all that is left of a closed eye).
  const lid = c.and(c.inside(c.band(scleraD, 0.0075)), c.inside(c.sub(eyeDy, c.mul(lowerLid, 0.4))));
  c.paint(lid, c.rgb([0.1, 0.07, 0.07]));

  // --- eyebrows -----------------------------------------------------------------------------------
  const browTilt = p('brow_tilt');
  const browHeight = p('brow_height');
  const browHalf = c.mad(0.085, 0.02, p('eye_size'));
  const browY = c.sub(c.sub(eyeY - 0.035, eyeH), c.mul(c.add(browHeight, 1), 0.045));
  const along = c.sub(ax, eyeX);
  // Positive tilt lowers the inner ends (anger), negative raises them (worry, sadness).
  const browCurve = c.add(c.add(browY, c.mul(c.mul(browTilt, -0.5), along)), c.mad(-0.012, 2.5, c.sq(along)));
  const browThick = c.mul(c.mad(0.011, 0.009, p('brow_weight')), c.sub(1, c.mul(c.div(along, browHalf), 0.3)));
  const brows = c.and(c.inside(c.band(c.sub(y, browCurve), browThick)), c.inside(c.sub(c.abs(along), browHalf)));
  masks.brows = brows;
  c.paint(brows, c.add(c.mul(hair, 0.55), 0.03));
  // Frown lines between lowered brows; forehead lines above raised ones.
  const frown = c.and(
    c.inside(c.band(c.sub(ax, 0.028), 0.004)),
    c.inside(c.band(c.sub(y, c.add(browY, 0.03)), 0.03)),
    c.mul(c.relu(browTilt), 0.7),
  );
  c.shade(frown, 0.72);
  const forehead = c.and(
    c.inside(c.band(c.sub(c.abs(c.sub(c.sub(y, c.mul(c.sq(x), 0.6)), c.sub(browY, 0.1))), 0.022), 0.0045)),
    c.inside(c.sub(ax, 0.14), 3),
    c.mul(c.relu(c.sub(browHeight, 0.35)), 0.9),
  );
  c.shade(forehead, 0.78);

  // --- mouth --------------------------------------------------------------------------------------
  const mouthOpen = p('mouth_open');
  // An open mouth gets narrower and rounder.
  const mouthW = c.mul(c.mad(0.085, 0.075, p('mouth_width')), c.sub(1, c.mul(mouthOpen, 0.3)));
  const u = c.div(x, mouthW);
  const u2 = c.sq(u);
  const curve = c.mul(p('mouth_curve'), 0.065);
  const sneerLift = c.mul(c.mul(sneer, 0.05), c.sq(c.relu(c.add(u, 0.2))));
  const mouthLine = c.sub(c.add(mouthY, c.mul(curve, c.sub(0.5, u2))), sneerLift);
  const openH = c.add(c.mad(0.005, 0.1, mouthOpen), c.mul(sneerLift, 0.4));
  const mouthDy = c.sub(c.sub(y, mouthLine), c.mul(openH, 0.6));
  const lipColour = c.lerp(c.mul(skin, 0.85), c.rgb([0.72, 0.25, 0.26]), c.mad(0.3, 0.3, p('lip_tint')));
  const lips = c.inside(c.ellipse(x, mouthDy, c.add(mouthW, 0.016), c.add(openH, 0.02)));
  c.paint(c.mul(lips, 0.85), lipColour);
  const interiorD = c.ellipse(x, mouthDy, mouthW, openH);
  const interior = c.inside(interiorD);
  masks.mouth = interior;
  c.paint(interior, c.rgb([0.27, 0.04, 0.06]));
  const showTeeth = c.sigmoid(c.mul(c.sub(c.add(mouthOpen, c.mul(sneer, 0.4)), 0.12), 18));
  const teeth = c.and(interior, c.inside(c.add(mouthDy, c.mul(openH, 0.4))), showTeeth);
  c.paint(teeth, c.rgb([0.96, 0.95, 0.9]));
  c.paint(
    c.and(interior, c.inside(c.sub(c.mul(openH, 0.35), mouthDy), 2), c.mul(showTeeth, 0.8)),
    c.rgb([0.78, 0.33, 0.36]),
  );

  // --- glasses ------------------------------------------------------------------------------------
  const glasses = c.sigmoid(c.mul(c.sub(p('glasses'), 0.5), 12));
  const lensD = c.ellipse(eyeDx, c.sub(eyeDy, 0.005), 0.125, 0.092);
  const lens = c.inside(lensD);
  c.paint(c.mul(lens, c.mul(glasses, 0.16)), c.rgb([0.85, 0.92, 1]));
  const rim = c.inside(c.band(lensD, 0.011));
  const bridge = c.and(c.inside(c.sub(ax, c.sub(eyeX, 0.12))), c.inside(c.band(c.sub(y, eyeY - 0.025), 0.009)));
  const temples = c.and(
    c.inside(c.sub(c.add(eyeX, 0.12), ax)),
    c.inside(c.sub(ax, c.add(faceW, 0.02))),
    c.inside(c.band(c.sub(y, eyeY - 0.03), 0.008)),
  );
  const frame = c.mul(c.or(c.or(rim, bridge), temples), glasses);
  masks.glasses = frame;
  c.paint(frame, c.rgb([0.1, 0.09, 0.1]));

  return { image: c.current(), masks };
}
