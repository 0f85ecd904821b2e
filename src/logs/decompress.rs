//! Compressed logs read as they are: gzip (several members, as logrotate's `compress` and
//! `cat a.gz b.gz` make), zstd (several frames), xz (several streams) and bzip2 (several
//! streams), recognised by their first bytes, not by their names, from files and from
//! standard input. Decompression is streamed: memory stays what the plain reader uses.

use std::io::{self, BufRead, BufReader, Read};

/// What a log's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    Gzip,
    Zstd,
    Xz,
    Bzip2,
}

impl Format {
    /// The format of a log starting with `head` (at least [`HEAD`] bytes for an answer other
    /// than plain).
    pub fn of(head: &[u8]) -> Format {
        if head.starts_with(&[0x1f, 0x8b]) {
            Format::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Format::Zstd
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Format::Xz
        } else if head.len() >= 4 && head.starts_with(b"BZh") && (b'1'..=b'9').contains(&head[3]) {
            // "BZh" and the block size, 1 to 9 (100 to 900 kB).
            Format::Bzip2
        } else {
            Format::Plain
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Plain => "plain",
            Format::Gzip => "gzip",
            Format::Zstd => "zstd",
            Format::Xz => "xz",
            Format::Bzip2 => "bzip2",
        }
    }
}

/// How many first bytes tell every format apart (xz's magic is the longest).
pub const HEAD: usize = 6;

/// The format of the file at `path` (its first bytes).
pub fn format_of_file(path: &std::path::Path) -> io::Result<Format> {
    let mut head = [0u8; HEAD];
    let mut f = std::fs::File::open(path)?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(Format::of(&head[..n]))
}

/// `reader`, decompressed when its first bytes say so.
pub fn open<R: BufRead + Send + 'static>(reader: R) -> io::Result<Box<dyn BufRead + Send>> {
    Ok(match decoder(reader)? {
        Decoded::Plain(r) => r,
        Decoded::Compressed(d) => Box::new(BufReader::with_capacity(1 << 20, d)),
    })
}

/// [`open`] for a reader that reads in large pieces of its own ([`super::read::scan`]): the
/// decompressor writes straight into the caller's buffer, without a buffer between them
/// (one copy of every byte less).
pub fn open_read<R: BufRead + Send + 'static>(reader: R) -> io::Result<Box<dyn Read + Send>> {
    Ok(match decoder(reader)? {
        Decoded::Plain(r) => Box::new(r),
        Decoded::Compressed(d) => d,
    })
}

enum Decoded {
    Plain(Box<dyn BufRead + Send>),
    Compressed(Box<dyn Read + Send>),
}

fn decoder<R: BufRead + Send + 'static>(mut reader: R) -> io::Result<Decoded> {
    let format = {
        // Enough of the start to tell (a pipe may give it in pieces).
        let head = reader.fill_buf()?;
        Format::of(head)
    };
    Ok(match format {
        Format::Plain => Decoded::Plain(Box::new(reader)),
        Format::Gzip => Decoded::Compressed(Box::new(flate2::bufread::MultiGzDecoder::new(reader))),
        Format::Zstd => Decoded::Compressed(Box::new(zstd::stream::read::Decoder::with_buffer(reader)?)),
        Format::Xz => Decoded::Compressed(Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(reader))),
        Format::Bzip2 => Decoded::Compressed(Box::new(bzip2::bufread::MultiBzDecoder::new(reader))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn every_format_with_several_members_reads_back_whole() {
        let text = b"{\"level\":30,\"msg\":\"a\"}\n{\"level\":50,\"msg\":\"b\"}\n";
        let mut gz = Vec::new();
        for half in [&text[..24], &text[24..]] {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(half).unwrap();
            gz.extend(e.finish().unwrap());
        }
        let mut zs = zstd::encode_all(&text[..24], 1).unwrap();
        zs.extend(zstd::encode_all(&text[24..], 1).unwrap());
        let (mut xz, mut bz) = (Vec::new(), Vec::new());
        for half in [&text[..24], &text[24..]] {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
            e.write_all(half).unwrap();
            xz.extend(e.finish().unwrap());
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            e.write_all(half).unwrap();
            bz.extend(e.finish().unwrap());
        }
        for (bytes, f) in [
            (gz, Format::Gzip),
            (zs, Format::Zstd),
            (xz, Format::Xz),
            (bz, Format::Bzip2),
            (text.to_vec(), Format::Plain),
        ] {
            assert_eq!(Format::of(&bytes), f);
            let mut out = Vec::new();
            open(io::Cursor::new(bytes.clone()))
                .unwrap()
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, text, "{f:?}");
            out.clear();
            open_read(io::Cursor::new(bytes))
                .unwrap()
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, text, "{f:?} without a buffer");
        }
    }
}
